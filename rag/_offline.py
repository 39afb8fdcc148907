"""Keep the libraries newsqa uses from reaching for the network.

`import rag` calls :func:`configure_offline` before it loads them. It only fills in environment
variables that are unset, so a value the user or the host application chose always wins:

- TIKTOKEN_CACHE_DIR: the encodings llama-index-core ships (tiktoken would download them);
- ANONYMIZED_TELEMETRY=False: Chroma's telemetry;
- HF_HUB_OFFLINE=1: no Hugging Face Hub downloads (newsqa's embedder is bundled).

The page turns Gradio's analytics off itself (ui/__init__.py), before Gradio is imported.
"""

import importlib.util
import os
from pathlib import Path


def configure_offline() -> None:
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        spec = importlib.util.find_spec("llama_index.core")
        if spec and spec.submodule_search_locations:
            cache = Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"
            if cache.is_dir():
                os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
