"""Settings come from defaults, then NEWSQA_* variables, then keyword arguments."""

import pytest

import rag
from rag import Settings
from rag.errors import ConfigError


def test_environment_overrides_defaults_and_arguments_override_both(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSQA_TOP_K", "7")
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path))
    assert Settings.load().top_k == 7
    assert Settings.load(top_k=3).top_k == 3
    assert Settings.load().index_dir == tmp_path / "indexes" / "default"


@pytest.mark.parametrize("overrides,message", [
    ({"backend": "gpt"}, "backend must be"),
    ({"chunk_size": 100, "chunk_overlap": 100}, "chunk_overlap"),
    ({"top_k": 0}, "top_k"),
    ({"index": "../escape"}, "index names"),
    ({"colour": "blue"}, "Unknown setting"),
    ({"answer_strategy": "clever"}, "answer_strategy must be"),
    ({"llm_threads": -1}, "llm_threads"),
])
def test_bad_settings_are_refused_with_a_reason(overrides, message):
    with pytest.raises(ConfigError, match=message):
        Settings.load(**overrides)


def test_a_malformed_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("NEWSQA_CHUNK_SIZE", "big")
    with pytest.raises(ConfigError, match="NEWSQA_CHUNK_SIZE"):
        Settings.load()


def test_auto_strategy_and_threads_follow_the_backend_and_the_cores(monkeypatch):
    assert Settings.load(backend="local").resolved_strategy == "stepwise"
    assert Settings.load(backend="openai").resolved_strategy == "stepwise"  # measured better there too
    assert Settings.load(backend="openai", answer_strategy="single").resolved_strategy == "single"
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert Settings.load().resolved_llm_threads == 1  # a busy neighbour on one core costs at most 2x
    assert Settings.load(llm_threads=2).resolved_llm_threads == 2


def test_ask_applies_overrides_to_the_settings_it_is_given(seeded_settings):
    """`ask(q, settings=s, top_k=2)` once dropped top_k silently: the overrides only applied without settings."""
    answer = rag.ask("Who is the CEO of Midjourney?", settings=seeded_settings, top_k=2, answer_strategy="single")
    assert answer.strategy == "single" and len(answer.retrieved) == 2
    with pytest.raises(rag.NewsqaError, match="context_chunks"):
        rag.ask("Who is the CEO of Midjourney?", settings=seeded_settings, context_chunks=0)


@pytest.mark.parametrize("question", ["", "   \n", "x" * (Settings.max_question_chars + 1)])
def test_ask_refuses_an_empty_or_overlong_question_as_the_cli_does(question, seeded_settings):
    with pytest.raises(rag.NewsqaError, match="question is"):
        rag.ask(question, settings=seeded_settings)
