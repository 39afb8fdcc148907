"""The seeds eval end to end with the local backend: floors, resuming, the CLI, the HTML report in Chromium."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from conftest import ROOT
from eval import compare, format_compare, format_table, load_pack, load_results, run_eval, write_html
from eval import run as run_module
from eval.cli import main as eval_main
from eval.judge import Judge

from rag import Settings

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("eval-data")


@pytest.fixture(scope="module")
def seeds_run(data_dir, tmp_path_factory):
    """The whole seeds pack, answered once by the local model."""
    settings = Settings.load(data_dir=data_dir, backend="local")
    result = run_eval(settings=settings, out=tmp_path_factory.mktemp("eval-seeds"), progress=False, judge=False)
    ARTIFACTS.mkdir(exist_ok=True)  # kept for reading after the run: answers.jsonl, summary.json
    shutil.copytree(result.out, ARTIFACTS / "eval-seeds", dirs_exist_ok=True)
    return result


def test_seeds_eval_meets_its_floors(seeds_run):
    summary = seeds_run.summary
    total = summary["metrics"]["all"]
    print("\n" + format_table(summary))
    assert summary["questions"] == len(load_pack().questions) and seeds_run.reused == 0
    # Measured with the stepwise strategy (issue 9): local SmolLM2-135M, MiniLM, 256/32-token chunks, k=10.
    assert total["file_hit@4"] >= 0.95  # measured 1.00 (26 of 26 answerable; the corpus has 2 files)
    assert total["file_all_gold@10"] >= 0.95  # measured 1.00
    assert total["strict"] >= 0.96  # measured 1.00 (26 of 26: every factoid, yes/no, multi-article question and
    # paraphrase)
    assert total["citation_precision"] >= 0.95  # measured 1.00
    assert total["citation_recall"] >= 0.87  # measured 0.92 (one passage holds a short answer; one file is cited)
    assert total["abstention"]["recall"] >= 0.95  # measured 1.00: 8 of 8 unanswerable refused
    assert total["abstention"]["precision"] >= 0.95  # measured 1.00: no answerable question refused
    by_type = summary["metrics"]["by_type"]
    assert by_type["factoid"]["strict"] >= 0.9 and by_type["yes_no"]["strict"] >= 0.8  # measured 1.00 and 1.00
    assert set(summary["metrics"]["by_type"]) == {"factoid", "yes_no", "multi_article", "paraphrase", "null_query"}
    assert summary["metrics"]["by_type"]["null_query"]["answerable"] == 0


def scores_of(pack: str, data_dir, out) -> tuple[dict, dict]:
    """The offline defaults' scores on one of eval/'s packs: over all questions, and by type."""
    settings = Settings.load(data_dir=data_dir, backend="local")
    metrics = run_eval(ROOT / "eval" / pack, settings=settings, out=out, progress=False, judge=False).summary["metrics"]
    return metrics["all"], metrics["by_type"]


def test_reworded_seed_questions_meet_their_floors(data_dir, tmp_path):
    """eval/seeds-reworded: 140 questions about the seed articles, written by testers who saw only the
    articles. A rule fitted to eval/seeds' wording shows here as a gap between the two."""
    total, by_type = scores_of("seeds-reworded", data_dir, tmp_path)
    assert total["strict"] >= 0.79  # measured 0.81 (91 of 112 answerable; 0.52 before the reworded packs)
    assert total["citation_precision"] >= 0.93  # measured 0.96
    assert total["abstention"]["recall"] >= 0.75  # measured 0.82: 23 of 28 unanswerable refused
    assert by_type["yes_no"]["strict"] >= 0.9 and by_type["factoid"]["strict"] >= 0.85  # measured 1.00 and 0.88


def test_rephrased_seed_questions_meet_their_floors(data_dir, tmp_path):
    """eval/seeds-rephrased: eval/seeds' 34 questions asked six other ways each, by testers who saw only the
    articles and the questions ("Can you tell me which firm ...?", a statement and then the question)."""
    total, by_type = scores_of("seeds-rephrased", data_dir, tmp_path)
    assert total["strict"] >= 0.93  # measured 0.96 (149 of 156 answerable; 0.60-0.67 per set at the start)
    assert total["citation_precision"] >= 0.93  # measured 0.96
    assert total["abstention"]["recall"] >= 0.95  # measured 0.98: 47 of 48 unanswerable refused
    assert by_type["yes_no"]["strict"] >= 0.94 and by_type["factoid"]["strict"] >= 0.92  # measured 0.97 and 0.95


def test_typed_seed_questions_meet_their_floors(data_dir, tmp_path):
    """eval/seeds-typed: 680 more rewordings in the ways people type and talk (lower case and terse, formal requests,
    non-native grammar, jargon, descriptions for names, slang, half-remembered, worksheet prompts), by testers
    who saw only the articles and questions."""
    total, by_type = scores_of("seeds-typed", data_dir, tmp_path)
    assert total["strict"] >= 0.91  # measured 0.94 (489 of 520 answerable; 0.50-0.77 per set when first scored)
    assert total["citation_precision"] >= 0.94  # measured 0.97
    assert total["abstention"]["recall"] >= 0.95  # measured 0.98: 157 of 160 unanswerable refused
    assert by_type["yes_no"]["strict"] >= 0.86 and by_type["factoid"]["strict"] >= 0.92  # measured 0.90 and 0.95


def test_framed_seed_questions_meet_their_floors(data_dir, tmp_path):
    """eval/seeds-framed: 680 more, asked after a set-up ("My coworker says ... Is that so?"), in shorthand
    ("MJ CEO -> name? pls"), as formal requests, spoken, texted, translated word for word or as quiz clues,
    by testers who saw only the articles and questions."""
    total, by_type = scores_of("seeds-framed", data_dir, tmp_path)
    assert total["strict"] >= 0.83  # measured 0.86 (447 of 520 answerable; 0.50-0.83 per set when first scored)
    assert total["citation_precision"] >= 0.92  # measured 0.95
    assert total["abstention"]["recall"] >= 0.93  # measured 0.97: 155 of 160 unanswerable refused
    assert by_type["yes_no"]["strict"] >= 0.9 and by_type["factoid"]["strict"] >= 0.86  # measured 0.93 and 0.89


def test_reader_seed_questions_meet_their_floors(data_dir, tmp_path):
    """eval/seeds-reader: 544 more, as ordinary readers ask (plain sentences in other words, paraphrase naming
    companies and people by what they do, varied grammar, lower case, keywords and typos), by testers who saw only
    the articles and questions."""
    total, by_type = scores_of("seeds-reader", data_dir, tmp_path)
    assert total["strict"] >= 0.9  # measured 0.93 (386 of 416 answerable; 0.75-0.92 per set when first scored)
    assert total["citation_precision"] >= 0.94  # measured 0.97
    assert total["abstention"]["recall"] >= 0.95  # measured 0.99: 127 of 128 unanswerable refused
    assert by_type["yes_no"]["strict"] >= 0.94 and by_type["factoid"]["strict"] >= 0.88  # measured 0.98 and 0.91


def test_seeds_eval_reports_the_baselines(seeds_run):
    found = seeds_run.summary["metrics"]["baselines"]
    # Fixed by the pack, whatever the model says: 8 yes/no questions (6 yes_no, 2 multi_article), 4 of them Yes;
    # the majority answers are "threads" (1 of 10 factoids), "no" (4 of 6), "yes" (2 of 5), "x" (1 of 5).
    assert found["yes_no"]["always_yes"]["n"] == 8 and found["yes_no"]["always_yes"]["strict"] == 0.5
    assert found["all"]["majority"]["n"] == 26 and found["all"]["majority"]["strict"] == pytest.approx(8 / 26)
    assert found["all"]["extractive"]["n"] == 26  # every answer was fresh: each kept its top passage's sentence
    # The engine must beat always-Yes on the yes/no questions by 0.15 or more (issue 9): measured 1.00 against 0.50.
    assert found["yes_no"]["always_yes"]["delta"] >= 0.15 and found["yes_no"]["always_yes"]["beats"]
    assert found["all"]["extractive"]["beats"] and found["all"]["majority"]["beats"]
    assert all({"baselines", "kind"} <= set(row) for row in seeds_run.rows)
    assert "always-Yes" in format_table(seeds_run.summary)


def test_results_folder_holds_answers_and_the_settings_behind_them(seeds_run):
    summary, rows = load_results(seeds_run.out)
    assert summary == json.loads(json.dumps(seeds_run.summary))
    settings = summary["settings"]
    for key in ("backend", "model", "embedder", "chunking", "k", "corpus", "commit", "index"):
        assert key in settings, key
    assert settings["backend"] == "local" and settings["embedder"] == "minilm" and settings["k"] == 10
    assert settings["chunking"]["size"] == 256 and settings["model_used"].startswith("local:")
    assert settings["index"].startswith("eval-seeds-")  # not the user's default index
    assert summary["corpus_files"] == 2
    assert [r["id"] for r in rows] == [q.id for q in load_pack().questions]
    for row in rows:
        assert {"answer", "abstained", "citations", "cited_files", "retrieved", "timings", "scores"} <= set(row)
        assert row["timings"]["total_s"] > 0 and "retrieval_s" in row["timings"]
    latency = summary["metrics"]["all"]
    assert 0 < latency["retrieval_s_p50"] <= latency["retrieval_s_p95"] <= latency["total_s_p95"]


class _JudgeServer(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible chat endpoint: says CORRECT when the answer holds the gold answer."""

    def do_POST(self):  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][0]["content"]
        gold = prompt.split("Gold answer: ")[1].split("\n")[0].split(" / ")[0]
        answer = prompt.split("Candidate answer: ")[1].split("\n\nDoes the candidate")[0]
        verdict = "CORRECT" if gold.lower() in answer.lower() else "INCORRECT"
        reply = {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": verdict}}],
                 "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def judge_url():
    server = HTTPServer(("127.0.0.1", 0), _JudgeServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_an_interrupted_run_resumes_and_a_judge_grades_apart(data_dir, tmp_path, monkeypatch, judge_url):
    settings = Settings.load(data_dir=data_dir, backend="local")
    judge = Judge("judge-model", base_url=judge_url)
    real_ask, calls = run_module.ask, []

    def interrupted_ask(question, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(question)
        return real_ask(question, **kwargs)

    monkeypatch.setattr(run_module, "ask", interrupted_ask)
    with pytest.raises(KeyboardInterrupt):
        run_eval(settings=settings, limit=4, out=tmp_path, progress=False, judge=judge)
    written = (tmp_path / "answers.jsonl").read_text().splitlines()
    assert len(written) == 2 and not (tmp_path / "summary.json").exists()
    # Answers saved before the baselines were: they keep no passage text.
    older = [{k: v for k, v in json.loads(line).items() if k != "baselines"} for line in written]
    (tmp_path / "answers.jsonl").write_text("".join(json.dumps(r) + "\n" for r in older))
    with (tmp_path / "answers.jsonl").open("a") as f:
        f.write('{"id": "seed-03", "answer": "cut short by a ki')  # a line a kill cut in half

    monkeypatch.setattr(run_module, "ask", real_ask)
    result = run_eval(settings=settings, limit=4, out=tmp_path, progress=True, judge=judge)
    assert result.reused == 2 and len(result.rows) == 4
    assert [r["question"] for r in result.rows[:2]] == calls
    total = result.summary["metrics"]["all"]
    assert total["judged"] == 4 and total["judge"] is not None
    assert result.summary["judge"] == {"model": "judge-model", "base_url": judge_url}
    for row in result.rows:
        gold = row["gold"]["answer"].lower()
        assert row["judge"]["correct"] == (gold in row["answer"].lower())
    assert "judge†" in format_table(result.summary)
    assert [r["baselines"]["extractive"] is None for r in result.rows] == [True, True, False, False]
    assert all(r["baselines"]["majority"] == "threads" for r in result.rows)  # the factoids' majority answer
    assert result.summary["metrics"]["baselines"]["all"]["extractive"]["n"] == 2

    # Other settings: nothing is reused.
    again = run_eval(settings=Settings.load(data_dir=data_dir, backend="local", top_k=5), limit=1, out=tmp_path,
                     progress=False, judge=False)
    assert again.reused == 0 and again.summary["settings"]["k"] == 5


def test_a_real_model_server_can_be_the_judge(data_dir, tmp_path, llama_server):
    """The judge path against python -m llama_cpp.server: its verdicts come back and are reported apart."""
    judge = Judge("smollm2", base_url=llama_server, timeout_s=120)

    result = run_eval(settings=Settings.load(data_dir=data_dir, backend="local"), limit=3, out=tmp_path,
                      progress=False, judge=judge)

    for row in result.rows:
        assert row["judge"]["reply"] and not row["judge"]["reply"].startswith("judge error"), row["judge"]
        assert row["judge"]["correct"] in (True, False, None)  # a 135M judge may answer neither word
    assert result.summary["judge"] == {"model": "smollm2", "base_url": llama_server}
    assert result.summary["metrics"]["all"]["judged"] == sum(r["judge"]["correct"] is not None for r in result.rows)


def test_a_dead_judge_does_not_end_the_run():
    judge = Judge("judge-model", base_url="http://127.0.0.1:9/v1", timeout_s=2)
    verdict = judge.grade(load_pack().questions[0], "Threads", False)
    assert verdict["correct"] is None and verdict["reply"].startswith("judge error")


def test_compare_two_runs_question_by_question(seeds_run, tmp_path):
    other = tmp_path / "b"
    shutil.copytree(seeds_run.out, other)
    summary, rows = load_results(other)
    flipped = next(r for r in rows if not r["scores"]["failed"])
    flipped["answer"], flipped["scores"]["failed"], flipped["scores"]["strict"] = "Something else.", True, 0.0
    (other / "answers.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    diff = compare(load_results(seeds_run.out), (summary, rows))
    assert [item["id"] for item in diff["worse"]] == [flipped["id"]]
    assert diff["better"] == [] and diff["settings"] == {}
    text = format_compare(diff, ("a", "b"))
    assert "worse in B (passed in A, failed in B): 1" in text and flipped["id"] in text


def test_cli_reuses_answers_checks_floors_and_compares(seeds_run, data_dir, tmp_path, capsys):
    out = tmp_path / "run"
    shutil.copytree(seeds_run.out, out)
    base = ["--data-dir", str(data_dir), "--backend", "local", "--out", str(out), "--quiet"]
    assert eval_main(base + ["--min", "file_hit@4=0.5", "--min", "abstention_recall=0.1"]) == 0
    printed = capsys.readouterr().out
    assert "hit@4" in printed and "strict" in printed and "lenient*" in printed and "abstention:" in printed
    assert (out / "report.html").is_file()
    assert json.loads((out / "summary.json").read_text())["reused"] == seeds_run.summary["questions"]

    assert eval_main(base + ["--min", "strict=1.01"]) == 8
    assert "under the floor" in capsys.readouterr().err
    assert eval_main(base + ["--min", "no_such_metric=1"]) == 2
    assert eval_main(["--compare", str(seeds_run.out), str(out)]) == 0
    assert "better in B" in capsys.readouterr().out
    assert eval_main(["--compare", str(out), str(tmp_path / "missing")]) == 3
    assert eval_main(["--pack", str(tmp_path / "nowhere")]) == 3
    with pytest.raises(SystemExit) as usage:
        eval_main(["--limit", "0"])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as malformed:  # a --min without =VALUE is a bad argument too
        eval_main(["--min", "file_hit@4"])
    assert malformed.value.code == 2


def test_newsqa_eval_is_a_subcommand(capsys):
    from rag.cli import main

    with pytest.raises(SystemExit) as done:
        main(["eval", "--help"])
    assert done.value.code == 0
    assert "--compare A B" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "eval" in capsys.readouterr().out


def test_html_report_opens_in_headless_chromium(seeds_run):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    page_path = write_html(seeds_run.summary, seeds_run.rows, ARTIFACTS / "eval-report.html")
    text = page_path.read_text()
    assert "http://" not in text.split("<body>")[0] and "https://" not in text  # self-contained: no CDN
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(page_path.as_uri())
            assert page.locator("svg.chart").count() == 2
            total = len(seeds_run.rows)
            assert page.locator("#count").inner_text() == f"{total} of {total} questions"
            failures = sum(r["scores"]["failed"] for r in seeds_run.rows)
            page.select_option("#show", "fail")
            assert page.locator("#count").inner_text() == f"{failures} of {total} questions"
            page.select_option("#show", "all")
            page.select_option("#type", "null_query")
            nulls = sum(r["type"] == "null_query" for r in seeds_run.rows)
            assert page.locator("#questions tbody tr:not([hidden])").count() == nulls
            page.select_option("#type", "all")
            page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert (ARTIFACTS / "eval-report.png").stat().st_size > 10_000
