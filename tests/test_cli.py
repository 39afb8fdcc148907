"""The `newsqa` command as a user types it, in a real subprocess."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import MIDJOURNEY_GADGETS, ROOT, SEEDS


def newsqa(*args: str, data_dir, extra_env=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env.update({"NEWSQA_DATA_DIR": str(data_dir), **(extra_env or {})})
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("command", [[], ["ingest"], ["ask"], ["chat"], ["status"], ["ui"]])
def test_help_everywhere(command, tmp_path):
    result = newsqa(*command, "--help", data_dir=tmp_path)
    assert result.returncode == 0
    assert "usage: newsqa" in result.stdout


def test_ingest_then_ask_as_json(tmp_path):
    pytest.importorskip("llama_cpp")
    ingested = newsqa("ingest", str(SEEDS), "--quiet", data_dir=tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    assert "2 added" in ingested.stdout and "0 skipped" in ingested.stdout

    asked = newsqa("ask", "On which platform did Alexandr Wang announce the partnership?", "--json",
                   "--backend", "local", data_dir=tmp_path)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["abstained"] is False
    assert MIDJOURNEY_GADGETS in [c["file"] for c in answer["citations"]]
    assert {"text", "citations", "retrieved", "timings"} <= set(answer)

    status = json.loads(newsqa("status", data_dir=tmp_path).stdout)
    assert status["files"] == 2 and status["chunks"] == status["vectors"] > 0
    assert status["corpus"] == str(SEEDS)


def test_ask_prints_the_answer_then_its_sources(tmp_path):
    pytest.importorskip("llama_cpp")
    result = newsqa("ask", "Who is the CEO of Midjourney?", "--backend", "local", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "is empty; ingesting" in result.stderr  # a first question ingests seeds/ by itself
    assert "Sources:" in result.stdout and ".txt" in result.stdout


def test_errors_are_one_line_with_a_meaningful_exit_code(tmp_path):
    missing = newsqa("ingest", str(tmp_path / "nowhere"), data_dir=tmp_path)
    assert missing.returncode == 3
    assert missing.stderr.strip().count("\n") == 0 and "does not exist" in missing.stderr

    bad_setting = newsqa("ask", "hi", data_dir=tmp_path, extra_env={"NEWSQA_TOP_K": "many"})
    assert bad_setting.returncode == 2 and "NEWSQA_TOP_K" in bad_setting.stderr

    newsqa("ingest", str(SEEDS), "--quiet", data_dir=tmp_path)
    no_key = newsqa("ask", "Who is the CEO of Midjourney?", "--backend", "openai", data_dir=tmp_path)
    assert no_key.returncode == 6 and "OPENAI_API_KEY" in no_key.stderr
    assert "Traceback" not in no_key.stderr


def test_the_terminal_answer_shows_the_rewritten_question_and_the_unsupported_sentences():
    from rag.answer import Answer
    from rag.citations import Citation, Claim
    from rag.cli import format_answer

    answer = Answer("Did David Holz say Midjourney stays independent?", "Yes [1]. It has 40 staff.",
                    [Citation(1, "a.txt", "A title", "Midjourney remains independent.", 1.0)], False, [],
                    asked="Did he say it stays independent?",
                    claims=[Claim("Yes.", (1,), True, 0.9), Claim("It has 40 staff.", (), False, 0.2)])
    shown = format_answer(answer)
    assert shown.startswith("(searched for: Did David Holz say Midjourney stays independent?)")
    assert "Not supported by the cited passages:\n  - It has 40 staff." in shown
    assert "Yes." not in shown.split("Not supported")[1]
