"""`newsqa ui` as a user starts it, in a real subprocess over a copy of seeds/ with the local model:
its API endpoints through gradio_client, eight sessions at once, and the page in headless Chromium.

Screenshots and the measured page-load-to-first-token time go to test-artifacts/ui/.
"""

from __future__ import annotations

import dataclasses
import json
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from tests.conftest import MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT, ROOT, seeds_copy, ui_process

pytest.importorskip("gradio_client")
pytest.importorskip("llama_cpp", reason="the local backend needs llama-cpp-python")

from rag import Answer, Citation  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts" / "ui"
CEO_QUESTION = "Who is the CEO of Midjourney?"  # Gadgets 360's story says David Holz
EARLIER_QUESTION = "Which company had earlier discussions with Midjourney that did not become a formal agreement?"
ANSWER_FIELDS = set(Answer("q", "t", [], True, []).to_dict())
CITATION_FIELDS = {f.name for f in dataclasses.fields(Citation)}
UPLOADED = (
    "Title: Lunar Loaf opens its first bakery in Reykjavik\n"
    "Source: Test Wire\n"
    "Published: 2026-11-20\n"
    "\n"
    "Lunar Loaf, a bakery start-up, opened its first shop in Reykjavik on Friday. "
    "The company named Ingrid Solberg as its head baker. "
    "Solberg said the shop bakes rye bread in geothermal ovens buried in hot sand.\n"
)


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory):
    """`newsqa ui CORPUS --backend local --port PORT` over a temp copy of seeds/ and a temp data folder."""
    base = tmp_path_factory.mktemp("ui")
    corpus = seeds_copy(base)
    with ui_process(corpus, base, "--backend", "local") as (url, _, log):
        yield SimpleNamespace(url=url, corpus=corpus, log=log, base=base)


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False)


# -- the programmatic API -----------------------------------------------------------------------


def test_the_server_binds_to_loopback_and_says_what_answers(ui_server):
    log = ui_server.log.read_text()
    assert "2 added" in log  # ingested before serving
    assert "newsqa ui: http://127.0.0.1:" in log and "local:SmolLM2" in log and "minilm" in log


def test_api_endpoints_answer_with_the_answer_fields(ui_server):
    client = _client(ui_server.url)
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask", "/ask_stream", "/corpus"}  # the page's own handlers are private
    assert not api["unnamed_endpoints"]

    answer = client.predict(CEO_QUESTION, api_name="/ask")
    assert set(answer) == ANSWER_FIELDS
    assert answer["question"] == CEO_QUESTION and answer["abstained"] is False
    assert "Holz" in answer["text"] and "[1]" in answer["text"]
    assert MIDJOURNEY_GADGETS in [c["file"] for c in answer["citations"]]
    assert set(answer["citations"][0]) == CITATION_FIELDS
    assert {"file", "score", "dense", "lexical", "text", "metadata"} == set(answer["retrieved"][0])
    assert {"retrieval_s", "first_token_s", "total_s"} <= set(answer["timings"])

    job = client.submit(CEO_QUESTION, api_name="/ask_stream")
    job.result(timeout=300)
    outputs = job.outputs()
    assert outputs[-1]["done"] is True and set(outputs[-1]) == ANSWER_FIELDS | {"done"}
    assert outputs[-1]["text"] == answer["text"]
    assert all(o["done"] is False and set(o) == ANSWER_FIELDS | {"done"} for o in outputs[:-1])

    follow_up = client.predict("Does the partnership give Meta a stake in it?", CEO_QUESTION, api_name="/ask")
    assert follow_up["asked"] == "Does the partnership give Meta a stake in it?"
    assert follow_up["question"] != follow_up["asked"] and "Midjourney" in follow_up["question"]

    corpus = client.predict(api_name="/corpus")
    assert corpus["articles"] >= 2 and corpus["chunks"] > 0 and corpus["last_ingested"]
    assert corpus["llm"].startswith("local:") and corpus["embedder"] and corpus["chunking"]

    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="question is empty"):
        client.predict("  ", api_name="/ask")


def test_eight_concurrent_sessions_all_get_correct_cited_answers(ui_server):
    asks = [(CEO_QUESTION, MIDJOURNEY_GADGETS), (EARLIER_QUESTION, MIDJOURNEY_VENTUREBEAT)] * 4

    def session(item):
        question, _ = item
        client = _client(ui_server.url)  # one client each: eight sessions
        started = time.perf_counter()
        return client.predict(question, api_name="/ask"), time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(session, asks))
    wall = time.perf_counter() - started
    for (question, expected), (answer, _) in zip(asks, results):
        files = [c["file"] for c in answer["citations"]]
        assert answer["question"] == question, "an answer went to the wrong session"
        assert not answer["abstained"] and expected in files, (question, answer["text"], files)
        assert "[1]" in answer["text"]
    for question, _ in asks[:2]:  # temperature 0: the same question gets the same answer in every session
        assert len({a["text"] for (q, _), (a, _) in zip(asks, results) if q == question}) == 1
    _record("concurrency", {"sessions": 8, "wall_s": round(wall, 2),
                            "slowest_s": round(max(s for _, s in results), 2)})


def test_uploads_over_the_size_limit_are_refused(ui_server):
    import httpx

    big = b"x" * 5_100_000  # the limit is NEWSQA_MAX_FILE_MB, 5 MB by default
    response = httpx.post(f"{ui_server.url}gradio_api/upload", files={"files": ("big.txt", big, "text/plain")},
                          timeout=120)
    assert response.status_code == 413


# -- the page in a real browser -----------------------------------------------------------------


def _record(key: str, value) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = value
    path.write_text(json.dumps(data, indent=2) + "\n")


BOT = "#newsqa-chat [data-testid='bot']"
USER = "#newsqa-chat [data-testid='user']"


def _ask(page, question: str, answers_before: int, timeout_ms: int = 300_000) -> None:
    """Types a question, presses Ask, and waits until its verified answer (or error) is in."""
    page.fill("#newsqa-question textarea", question)
    page.click("#newsqa-ask")
    page.wait_for_function(
        """([selector, n]) => {
            const bots = document.querySelectorAll(selector);
            if (bots.length <= n) return false;
            const last = bots[bots.length - 1];
            return !last.querySelector('.newsqa-cursor') && !last.innerText.includes('Searching the articles');
        }""",
        arg=[BOT, answers_before], timeout=timeout_ms,
    )


def _sources_text(page) -> str:
    return page.inner_text("#newsqa-sources")


def test_the_page_in_a_browser(ui_server, browser, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Load the page and ask a seed question; time page load to the first streamed token.
    started = time.perf_counter()
    page.goto(ui_server.url)
    page.wait_for_selector("#newsqa-question textarea")
    loaded = time.perf_counter() - started
    assert "local:SmolLM2" in page.inner_text("#newsqa-status")
    assert "2 articles" in page.inner_text("#newsqa-status")
    examples = page.inner_text("#newsqa-examples")
    assert CEO_QUESTION in examples  # example questions about the loaded corpus
    page.fill("#newsqa-question textarea", CEO_QUESTION)
    asked = time.perf_counter()
    page.click("#newsqa-ask")
    page.wait_for_selector(f"{BOT} .newsqa-cursor, {BOT} a.newsqa-cite", state="attached", timeout=300_000)
    first_token = time.perf_counter()
    page.screenshot(path=str(ARTIFACTS / "00-streaming.png"))
    page.wait_for_selector("#newsqa-sources .newsqa-card", timeout=300_000)
    _record("browser", {"page_load_s": round(loaded, 2), "page_load_to_first_token_s": round(first_token - started, 2),
                        "ask_click_to_first_token_s": round(first_token - asked, 2),
                        "ask_click_to_sources_s": round(time.perf_counter() - asked, 2)})
    answer = page.inner_text(BOT)
    assert "Holz" in answer and "[1]" in answer
    assert MIDJOURNEY_GADGETS in _sources_text(page)
    assert "score" in _sources_text(page)
    page.screenshot(path=str(ARTIFACTS / "01-answer-with-sources.png"), full_page=True)

    # A marker carries its source as a tooltip; clicking it opens the article at the highlighted passage.
    marker = page.locator(f"{BOT} a.newsqa-cite").first
    assert MIDJOURNEY_GADGETS in marker.get_attribute("title")
    marker.click()
    mark = page.locator("#newsqa-sources details.newsqa-article[open] mark.newsqa-mark").first
    mark.wait_for(state="visible", timeout=10_000)
    assert mark.inner_text().strip() in page.inner_text("#newsqa-sources blockquote").replace("“", "").replace("”", "")
    page.screenshot(path=str(ARTIFACTS / "02-source-opened.png"), full_page=True)

    # A follow-up that leans on the previous turn ("his company"), then a second seed question.
    _ask(page, "Does the partnership give Meta a stake in his company?", answers_before=1)
    follow_up = page.locator(BOT).nth(1).inner_text()
    assert follow_up.strip() and "⚠" not in follow_up
    searched = page.locator(f"{BOT} .newsqa-searched")  # the standalone question it was rewritten to
    assert searched.count() == 1 and "Holz" in searched.inner_text(), follow_up
    assert page.locator(BOT).nth(1).locator("a.newsqa-cite").count() >= 1  # the answer below it still has its links
    sources = _sources_text(page)
    assert "Q2: Does the partnership give Meta a stake in his company?" in sources and "Earlier answers (1)" in sources
    assert ".txt" in sources.split("Earlier answers")[0]  # the follow-up's own sources
    page.screenshot(path=str(ARTIFACTS / "03-follow-up.png"), full_page=True)
    _ask(page, EARLIER_QUESTION, answers_before=2)
    assert MIDJOURNEY_VENTUREBEAT in _sources_text(page).split("Earlier answers")[0]
    assert page.locator(USER).count() == 3 and page.locator(BOT).count() == 3

    # Upload a new article (and a broken one) on the Corpus tab; it is ingested and answerable.
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "Lunar Loaf (final).txt").write_text(UPLOADED)
    (incoming / "broken.txt").write_bytes(b"\x00\xff" * 64)
    page.get_by_role("tab", name="Corpus").click()
    page.set_input_files("#newsqa-upload input[type=file]",
                         [str(incoming / "Lunar Loaf (final).txt"), str(incoming / "broken.txt")])
    page.wait_for_function("() => document.querySelector('#newsqa-corpus-info').innerText.includes('3 articles')",
                           timeout=300_000)
    summary = page.inner_text("#newsqa-ingest-summary")
    assert "Added 1 article" in summary and "uploads/Lunar_Loaf_final.txt" in summary
    assert "broken.txt" in summary and "not a readable article" in summary
    assert "3 articles" in page.inner_text("#newsqa-corpus-info")
    assert "3 articles" in page.inner_text("#newsqa-status")
    assert (ui_server.corpus / "uploads" / "Lunar_Loaf_final.txt").read_text() == UPLOADED
    assert not (ui_server.corpus / "uploads" / "broken.txt").exists()
    assert "Lunar Loaf" in page.inner_text("#newsqa-examples")  # examples follow the corpus
    page.screenshot(path=str(ARTIFACTS / "04-upload.png"), full_page=True)

    # Re-ingest picks up a file dropped into the folder by hand.
    (ui_server.corpus / "by-hand.md").write_text("# Harbour ferry resumes\n\nThe harbour ferry resumed service on Sunday.\n")
    page.click("#newsqa-reingest")
    page.wait_for_function("() => document.querySelector('#newsqa-corpus-info').innerText.includes('4 articles')",
                           timeout=300_000)
    assert "1 added" in page.inner_text("#newsqa-ingest-summary")

    _ask(page, "Who is the head baker of Lunar Loaf?", answers_before=3)
    assert "Solberg" in page.locator(BOT).nth(3).inner_text()
    assert "uploads/Lunar_Loaf_final.txt" in _sources_text(page).split("Earlier answers")[0]
    assert "Test Wire" in _sources_text(page)
    page.screenshot(path=str(ARTIFACTS / "05-uploaded-article-answer.png"), full_page=True)

    # Settings: switch this session to the openai backend with no key: a readable error, no crash.
    page.get_by_role("tab", name="Settings").click()
    assert "sentence-cl100k-256-32" in page.inner_text("#newsqa-settings-info")
    page.locator("#newsqa-backend input").click()
    page.get_by_role("option", name="openai").click()
    page.wait_for_function("() => document.querySelector('#newsqa-status').innerText.includes('openai:')")
    page.wait_for_selector("[role=listbox]", state="detached")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "06-settings.png"), full_page=True)
    _ask(page, CEO_QUESTION, answers_before=4)
    error = page.locator(BOT).nth(4).inner_text()
    assert "OPENAI_API_KEY" in error and "⚠" in error
    page.screenshot(path=str(ARTIFACTS / "07-llm-error.png"), full_page=True)
    page.get_by_role("tab", name="Settings").click()
    page.locator("#newsqa-backend input").click()
    page.get_by_role("option", name="local").click()
    page.wait_for_function("() => document.querySelector('#newsqa-status').innerText.includes('local:')")

    # New chat clears the conversation and the sources.
    page.click("#newsqa-new")
    page.wait_for_function(f"() => document.querySelectorAll(\"{BOT}\").length === 0")
    assert ".txt" not in _sources_text(page)

    # An example question under the input asks itself.
    page.locator("#newsqa-examples button", has_text=CEO_QUESTION).first.click()
    page.wait_for_selector("#newsqa-sources .newsqa-card, #newsqa-sources .newsqa-error", timeout=300_000)
    assert page.locator(USER).count() == 1 and CEO_QUESTION in page.inner_text(USER)
    assert MIDJOURNEY_GADGETS in _sources_text(page)
    page.screenshot(path=str(ARTIFACTS / "08-new-chat-example.png"), full_page=True)
    assert not errors, errors
    page.close()
