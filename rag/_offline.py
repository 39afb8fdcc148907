"""Keep the libraries newsqa uses from reaching for the network."""

import importlib.util
import os
from pathlib import Path


def configure_offline() -> None:
    # tiktoken downloads its encodings unless pointed at a cache; llama-index-core ships one.
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        spec = importlib.util.find_spec("llama_index.core")
        if spec and spec.submodule_search_locations:
            cache = Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"
            if cache.is_dir():
                os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # Chroma
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
