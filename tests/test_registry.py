"""Backends and embedders come from registries: one entry makes a new one acceptable everywhere settings are
chosen. Pure logic: the fakes load nothing; the real models are tested in test_ask_local and test_embeddings."""

import dataclasses
from collections.abc import Iterator

import pytest

from eval.cli import build_parser as eval_parser
from rag import Settings
from rag.answer import Engine
from rag.cli import build_parser
from rag.embeddings import EMBEDDING_BACKENDS, EmbeddingBackend, embedder_id, get_embedder, register_embedding_backend
from rag.errors import ConfigError
from rag.llm import CHAT_BACKENDS, ChatBackend, chat_backend, get_chat_model, llm_name, register_chat_backend
from rag.query import Query


class EchoChat:
    name = "echo:parrot"

    def stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        yield messages[-1]["content"][:max_tokens]


class ConstantEmbedding:
    """Stands in for a LlamaIndex embedding: nothing here calls it."""


@pytest.fixture
def echo_backend():
    backend = register_chat_backend(ChatBackend("echo", lambda settings: EchoChat(), lambda settings: "echo:parrot",
                                                default_model="parrot", auto_strategy="single"))
    yield backend
    del CHAT_BACKENDS["echo"]


@pytest.fixture
def constant_embedder():
    backend = register_embedding_backend(EmbeddingBackend("constant", lambda settings: ConstantEmbedding(),
                                                          lambda settings: "constant-v1"))
    yield backend
    del EMBEDDING_BACKENDS["constant"]


def test_a_registered_backend_is_a_valid_choice_everywhere(echo_backend, constant_embedder):
    settings = Settings.load(backend="echo", embedder="constant")
    assert isinstance(get_chat_model(settings), EchoChat)
    assert llm_name(settings) == "echo:parrot" and embedder_id(settings) == "constant-v1"
    assert isinstance(get_embedder(settings), ConstantEmbedding)
    assert settings.resolved_strategy == "single"  # the backend's own auto_strategy
    for parser, command in ((build_parser(), ["ask", "q"]), (eval_parser(), [])):
        args = parser.parse_args([*command, "--backend", "echo", "--embedder", "constant"])
        assert (args.backend, args.embedder) == ("echo", "constant")


def test_an_unregistered_backend_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="backend must be 'openai' or 'local', not 'echo'"):
        Settings.load(backend="echo")
    with pytest.raises(ConfigError, match="embedder must be 'minilm' or 'openai', not 'constant'"):
        Settings.load(embedder="constant")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ask", "q", "--backend", "echo"])


def test_the_bundled_backends_describe_themselves_without_loading(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert llm_name(Settings.load(backend="local")) == "local:SmolLM2-135M-Instruct.Q4_1"
    assert llm_name(Settings.load(backend="openai")) == "openai:gpt-4o-mini (OPENAI_API_KEY is not set)"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    assert llm_name(Settings.load(backend="openai", model="m")) == "openai:m at http://127.0.0.1:8080/v1"
    assert chat_backend("local").small and not chat_backend("openai").small
    assert embedder_id(Settings.load()) == "minilm-l6-v2-int8"
    assert embedder_id(Settings.load(embedder="openai")) == "openai:text-embedding-3-small"
    assert EMBEDDING_BACKENDS["openai"].label(Settings.load(embedder="openai")) == "openai:text-embedding-3-small"
    assert EMBEDDING_BACKENDS["minilm"].label(Settings.load()) == "minilm"


def test_the_prompt_policy_follows_the_small_capability_not_the_name(echo_backend, monkeypatch):
    """A small model is shown only the clear leaders; another sees every passage up to context_chunks."""
    class Passage:
        def __init__(self, score: float) -> None:
            self.score, self.file = score, f"{score}.txt"

    engine = Engine.__new__(Engine)  # no index: evidence() reads only its arguments and settings
    engine.settings = Settings.load(backend="echo")
    passages, question = [Passage(1.0), Passage(0.9), Passage(0.1)], Query("q", parts=())
    assert len(engine.evidence(question, passages, [])) == 3
    monkeypatch.setitem(CHAT_BACKENDS, "echo", dataclasses.replace(echo_backend, small=True))
    assert len(engine.evidence(question, passages, [])) == 2
