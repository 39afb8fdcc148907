"""`python -m eval` is `newsqa eval`."""

import sys

from .cli import main

sys.exit(main())
