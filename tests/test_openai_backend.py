"""The openai backend, end to end, against a real OpenAI-compatible server (llama_cpp.server) on loopback."""

import pytest

from rag import ask
from rag.errors import LLMError
from rag.settings import Settings
from tests.conftest import MIDJOURNEY_GADGETS, free_port


@pytest.fixture
def openai_env(monkeypatch, llama_server):
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")


def test_openai_is_the_default_backend_when_a_key_is_set(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-anything")
    assert Settings.load().resolved_backend == "openai"
    monkeypatch.delenv("OPENAI_API_KEY")
    assert Settings.load().resolved_backend == "local"


def test_openai_backend_answers_with_citations(openai_env, seeded_settings):
    settings = Settings.load(data_dir=seeded_settings.data_dir, corpus=seeded_settings.corpus,
                             backend="openai", model="smollm2")

    answer = ask("When did Midjourney release its first video generation model?", settings=settings)

    assert answer.model == "openai:smollm2"
    assert not answer.abstained
    assert MIDJOURNEY_GADGETS in answer.files
    assert answer.timings["first_token_s"] > 0


def test_openai_backend_abstains_without_calling_the_server_for_off_topic_questions(openai_env, seeded_settings):
    settings = Settings.load(data_dir=seeded_settings.data_dir, backend="openai", model="smollm2")

    answer = ask("What is the capital of Australia?", settings=settings)

    assert answer.abstained and not answer.citations


def test_unreachable_server_is_one_clear_sentence(monkeypatch, seeded_settings):
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = Settings.load(data_dir=seeded_settings.data_dir, backend="openai", llm_timeout_s=5)

    with pytest.raises(LLMError, match="Cannot reach the LLM server at http://127.0.0.1"):
        ask("Who is the CEO of Midjourney?", settings=settings)


def test_missing_key_is_one_clear_sentence(monkeypatch, seeded_settings):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    settings = Settings.load(data_dir=seeded_settings.data_dir, backend="openai")

    with pytest.raises(LLMError, match="needs OPENAI_API_KEY"):
        ask("Who is the CEO of Midjourney?", settings=settings)


def test_unknown_model_names_the_setting_to_change(openai_env, seeded_settings):
    settings = Settings.load(data_dir=seeded_settings.data_dir, backend="openai", model="no-such-model")

    try:
        answer = ask("Who is the CEO of Midjourney?", settings=settings)
    except LLMError as error:
        assert "no-such-model" in str(error) or "HTTP" in str(error)
    else:  # llama_cpp.server serves its one model whatever name is asked for
        assert answer.citations
