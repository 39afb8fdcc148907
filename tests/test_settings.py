"""Settings come from defaults, then NEWSQA_* variables, then keyword arguments."""

import pytest

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
])
def test_bad_settings_are_refused_with_a_reason(overrides, message):
    with pytest.raises(ConfigError, match=message):
        Settings.load(**overrides)


def test_a_malformed_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("NEWSQA_CHUNK_SIZE", "big")
    with pytest.raises(ConfigError, match="NEWSQA_CHUNK_SIZE"):
        Settings.load()
