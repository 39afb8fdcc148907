"""The page under load, on the local backend: 12 chats at once, then 50 questions in a row.

Every answer returns with a citation or an abstention, never an error; the server's memory levels
off over the 50 (its resident size grows by less than LEVELS_OFF_MB from the second block of ten
to the last). p50/p95 and peak RSS are printed and written to test-artifacts/faults/load.json.
"""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT, seeds_copy, ui_process

pytest.importorskip("gradio_client")
pytest.importorskip("llama_cpp", reason="the local backend needs llama-cpp-python")

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts" / "faults"
LEVELS_OFF_MB = 40
QUESTIONS = [
    "Who is the CEO of Midjourney?",
    "Does the partnership give Meta a stake in Midjourney?",
    "Which company had earlier discussions with Midjourney that did not become a formal agreement?",
    "How many employees does Midjourney have?",  # the articles don't say
    "Why did Meta partner with Midjourney?",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("load")
    corpus = seeds_copy(base)
    with ui_process(corpus, base, "--backend", "local") as (url, process, _):
        yield url, process.pid


def _memory_mb(pid: int) -> dict[str, float]:
    """Resident and peak resident size of ``pid``, from /proc."""
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return {key: int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}


def _ask(url: str, question: str) -> tuple[dict, float]:
    from gradio_client import Client

    started = time.perf_counter()
    answer = Client(url, verbose=False).predict(question, api_name="/ask")
    return answer, time.perf_counter() - started


def _answered(answer: dict) -> bool:
    return answer["abstained"] or bool(answer["citations"])


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {"p50_s": round(statistics.median(ordered), 2), "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 2)}


def _record(key: str, value: dict) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "load.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"\n{key}: {value}")


def test_twelve_chats_at_once_all_get_answers(server):
    url, pid = server
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(12)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda q: _ask(url, q), questions))
    wall = time.perf_counter() - started
    for question, (answer, _) in zip(questions, results):
        assert answer["question"] == question, "an answer went to the wrong chat"
        assert _answered(answer), answer["text"]
    assert results[3][0]["abstained"] and not results[0][0]["abstained"]
    _record("concurrent", {"chats": 12, "wall_s": round(wall, 2), **_percentiles([s for _, s in results]),
                           "peak_rss_mb": round(_memory_mb(pid)["VmHWM"], 1)})


def test_fifty_in_a_row_with_memory_levelling_off(server):
    url, pid = server
    seconds, resident = [], []
    for block in range(5):
        for i in range(10):
            answer, took = _ask(url, QUESTIONS[(block * 10 + i) % len(QUESTIONS)])
            assert _answered(answer), answer["text"]
            seconds.append(took)
        resident.append(_memory_mb(pid)["VmRSS"])
    growth = resident[-1] - resident[1]
    _record("sequential", {"questions": 50, **_percentiles(seconds), "rss_after_each_ten_mb": [round(r, 1) for r in resident],
                           "peak_rss_mb": round(_memory_mb(pid)["VmHWM"], 1)})
    assert growth < LEVELS_OFF_MB, f"resident memory grew {growth:.0f} MB over the last 40 questions: {resident}"
