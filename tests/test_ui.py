"""The chat page's parts without a browser: uploads, rendering, follow-ups, safe launching, errors in chat."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

pytest.importorskip("gradio")

from rag import Answer, Citation  # noqa: E402
from rag.cli import main as newsqa_main  # noqa: E402
from rag.errors import ConfigError  # noqa: E402
from tests.conftest import MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT  # noqa: E402
from ui import render  # noqa: E402
from ui.app import NewsqaUI, answer_turn  # noqa: E402
from ui.serve import check_exposure, credentials  # noqa: E402
from ui.conversation import api_history, chat_history, searched_for_html  # noqa: E402
from ui.corpus import UploadRejected, example_questions, sanitize_filename, save_uploads  # noqa: E402


# -- uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("article.txt", "article.txt"),
        ("../../etc/passwd.md", "passwd.md"),
        ("C:\\Users\\me\\News Story (final).HTML", "News_Story_final.html"),
        (".hidden.txt", "hidden.txt"),
        ("Ünïcödé – story.md", "Unicode_story.md"),
        ("<script>.txt", "script.txt"),
        ("...txt", "article.txt"),
        ("a" * 300 + ".txt", "a" * 90 + ".txt"),
    ],
)
def test_file_names_are_sanitised(name, safe):
    assert sanitize_filename(name) == safe


@pytest.mark.parametrize("name", ["report.pdf", "image.png", "script.py", "noextension", "archive.txt.exe"])
def test_only_article_types_are_accepted(name):
    with pytest.raises(UploadRejected, match="not an article type"):
        sanitize_filename(name)


def test_uploads_land_in_the_corpus_and_bad_files_are_reported_one_by_one(tmp_path, corpus):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    good = incoming / "Lunar Loaf.txt"
    good.write_text("Title: Lunar Loaf opens\n\nLunar Loaf, a bakery in Reykjavik, opened on Monday.\n")
    (incoming / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (incoming / "empty.md").write_bytes(b"")
    (incoming / "big.txt").write_text("x" * 2000)
    (incoming / "slides.pdf").write_text("%PDF-1.4")
    (incoming / "page.html").write_text("<html><head><title>Ferry news</title></head><body><article><h1>Ferry news"
                                        "</h1><p>The harbour ferry resumed service on Sunday after repairs to its "
                                        "engine were finished by the port authority.</p></article></body></html>")
    before = sorted(p.name for p in corpus.iterdir())

    result = save_uploads(sorted(incoming.iterdir()), corpus, max_bytes=1000)

    assert result.saved == ["uploads/Lunar_Loaf.txt", "uploads/page.html"]
    reasons = dict(result.rejected)
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.md"]
    assert "too large" in reasons["big.txt"]
    assert "not an article type" in reasons["slides.pdf"]
    assert (corpus / "uploads" / "Lunar_Loaf.txt").read_bytes() == good.read_bytes()
    assert sorted(p.name for p in corpus.iterdir()) == sorted(before + ["uploads"])  # nothing else touched
    assert not [p for p in (corpus / "uploads").iterdir() if p.name.startswith(".")]  # no temp files left

    again = save_uploads([good], corpus, max_bytes=1000)
    assert again.same == ["uploads/Lunar_Loaf.txt"] and not again.saved
    other = incoming / "sub"
    other.mkdir()
    (other / "Lunar Loaf.txt").write_text("Title: Another story\n\nA different article with the same name.\n")
    renamed = save_uploads([other / "Lunar Loaf.txt"], corpus, max_bytes=1000)
    assert renamed.saved == ["uploads/Lunar_Loaf-2.txt"]  # never overwrites another article


def test_example_questions_fit_the_corpus():
    seeds = {MIDJOURNEY_GADGETS: "Meta partners", MIDJOURNEY_VENTUREBEAT: "Meta Partners with Midjourney"}
    assert "Who is the CEO of Midjourney?" in example_questions(seeds)
    other = example_questions({"uploads/bakery.txt": "Lunar Loaf opens in Reykjavik"})
    assert other == ["What does the article “Lunar Loaf opens in Reykjavik” report?"]
    assert example_questions({}) == []
    both = example_questions({**seeds, "uploads/bakery.txt": "Lunar Loaf opens in Reykjavik"})
    assert both[0] == other[0] and "Who is the CEO of Midjourney?" in both and len(both) == 5


# -- rendering ----------------------------------------------------------------------------------


def _answer(text="Holz leads Midjourney [1].", abstained=False) -> Answer:
    citation = Citation(1, MIDJOURNEY_GADGETS, "A <b>title</b>", "Midjourney CEO David Holz said", 0.9,
                        source="Gadgets 360", published="2025-08-23T10:00:00", start=-1, end=-1)
    return Answer("Who leads Midjourney?", text, [] if abstained else [citation], abstained, [], {"total_s": 1.0},
                  "local:test")


def test_markers_become_links_with_the_source_as_tooltip():
    html = render.answer_html(_answer(), turn=2)
    assert 'href="#newsqa-src-2-1"' in html
    assert MIDJOURNEY_GADGETS in html and "Midjourney CEO David Holz said" in html
    assert "<b>" not in html  # titles are escaped


def test_model_text_cannot_inject_html():
    html = render.answer_html(_answer("<img src=x onerror=alert(1)> is it [1]"), turn=0)
    assert "<img" not in html and "&lt;img" in html
    assert "<script" not in render.draft_html("<script>alert(1)</script>")


def test_sources_panel_shows_file_title_publisher_date_quote_score_and_the_highlighted_article(corpus):
    body_start = (corpus / MIDJOURNEY_GADGETS).read_text().index("Midjourney CEO David Holz said")
    answer = _answer()
    cited = dataclasses.replace(answer.citations[0], start=body_start, end=body_start + 30)
    answer.citations[0] = cited
    html = render.sources_html([{"question": answer.question, "answer": answer}], corpus)
    for needle in (MIDJOURNEY_GADGETS, "A &lt;b&gt;title&lt;/b&gt;", "Gadgets 360", "2025-08-23", "score 0.90",
                   "Midjourney CEO David Holz said", '<mark class="newsqa-mark">Midjourney CEO David Holz said</mark>'):
        assert needle in html


def test_the_article_view_never_reads_outside_the_corpus(tmp_path, corpus):
    (tmp_path / "secret.txt").write_text("secret")
    assert render.read_article_text("../secret.txt", corpus) is None
    assert render.read_article_text(MIDJOURNEY_GADGETS, corpus)


def test_abstentions_say_so_plainly():
    html = render.sources_html([{"question": "q", "answer": _answer("The articles don't say.", abstained=True)}], None)
    assert "No source answers this" in html


# -- follow-ups ---------------------------------------------------------------------------------


def test_the_engine_gets_the_answered_turns_and_an_api_caller_a_one_turn_history():
    answered = _answer()
    turns = [{"question": "q1", "error": "boom"}, {"question": answered.question, "answer": answered}]
    assert chat_history(turns) == [answered.turn()]  # a failed turn has nothing to lean on
    assert api_history("  ") == []
    (previous,) = api_history("Who is the CEO of Midjourney?")
    assert previous.question == "Who is the CEO of Midjourney?" and not previous.text and not previous.cited


def test_a_rewritten_follow_up_shows_what_was_searched_for():
    rewritten = dataclasses.replace(_answer(), question="Did David Holz say <b>so</b>?", asked="Did he say so?")
    line = searched_for_html(rewritten)
    assert 'class="newsqa-searched"' in line and "Searched for: Did David Holz say &lt;b&gt;so&lt;/b&gt;?" in line
    assert searched_for_html(_answer()) == ""  # a question that stood alone needs no note


def test_a_follow_up_in_the_chat_is_answered_as_a_standalone_question(seeded_settings):
    app = NewsqaUI(seeded_settings)
    *_, (_, history, turns, _) = answer_turn(app, "Who is the CEO of Midjourney?", [], [], {})
    assert "newsqa-searched" not in history[-1]["content"]

    *_, (_, history, turns, _) = answer_turn(app, "What did he say about the company's independence?", history,
                                             turns, {})

    follow_up = turns[-1]["answer"]
    assert follow_up.asked == "What did he say about the company's independence?"
    assert "David Holz" in follow_up.question and "Midjourney" in follow_up.question
    assert f"Searched for: {render.esc(follow_up.question)}" in history[-1]["content"]
    assert follow_up.citations and 'class="newsqa-cite"' in history[-1]["content"]


# -- launching safely ---------------------------------------------------------------------------


def test_binding_beyond_this_machine_needs_credentials(monkeypatch):
    check_exposure("127.0.0.1", share=False, auth=None)
    check_exposure("::1", share=False, auth=None)
    with pytest.raises(ConfigError, match="NEWSQA_UI_USER"):
        check_exposure("0.0.0.0", share=False, auth=None)
    with pytest.raises(ConfigError, match="share link"):
        check_exposure("127.0.0.1", share=True, auth=None)
    check_exposure("0.0.0.0", share=False, auth=("ann", "pw"))

    monkeypatch.delenv("NEWSQA_UI_USER", raising=False)
    monkeypatch.delenv("NEWSQA_UI_PASSWORD", raising=False)
    assert credentials(None) is None
    assert credentials("ann:s3:cret") == ("ann", "s3:cret")
    with pytest.raises(ConfigError):
        credentials("ann")
    monkeypatch.setenv("NEWSQA_UI_USER", "ann")
    with pytest.raises(ConfigError, match="both"):
        credentials(None)
    monkeypatch.setenv("NEWSQA_UI_PASSWORD", "pw")
    assert credentials(None) == ("ann", "pw")


def test_newsqa_ui_refuses_a_public_address_without_credentials(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NEWSQA_UI_USER", raising=False)
    monkeypatch.delenv("NEWSQA_UI_PASSWORD", raising=False)
    code = newsqa_main(["ui", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert code == 2
    assert "needs credentials" in capsys.readouterr().err


def test_credentials_guard_the_page(seeded_settings):
    import httpx

    from tests.conftest import free_port
    from ui.serve import launch

    port = free_port()
    demo = launch(seeded_settings, port=port, auth=("ann", "s3cret"), quiet=True, block=False)
    try:
        url = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{url}/config").status_code == 401
        with httpx.Client() as browser:
            assert browser.post(f"{url}/login", data={"username": "ann", "password": "wrong"}).status_code == 400
            assert browser.post(f"{url}/login", data={"username": "ann", "password": "s3cret"}).status_code == 200
            assert browser.get(f"{url}/config").status_code == 200
    finally:
        demo.close()


# -- errors in the chat -------------------------------------------------------------------------


def test_an_llm_error_is_a_readable_message_in_the_chat(seeded_settings, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    app = NewsqaUI(seeded_settings)
    steps = list(answer_turn(app, "Who is the CEO of Midjourney?", [], [], {"backend": "openai"}))
    _, history, turns, sources = steps[-1]
    assert history[-1]["role"] == "assistant"
    shown = history[-1]["content"].replace("\\", "")  # Markdown escapes, gone once rendered
    assert "newsqa-error" in shown and "OPENAI_API_KEY" in shown
    assert "OPENAI_API_KEY" in turns[-1]["error"] and "No answer" in sources

    # and the page goes on: the next turn, on the local model, answers with its source
    steps = list(answer_turn(app, "Who is the CEO of Midjourney?", history, turns, {}))
    _, history, turns, sources = steps[-1]
    assert len(history) == 4 and turns[-1]["answer"].citations
    assert MIDJOURNEY_GADGETS in sources


def test_an_empty_question_does_nothing(seeded_settings):
    app = NewsqaUI(seeded_settings)
    (_, history, turns, _), = list(answer_turn(app, "   ", [], [], {}))
    assert history == [] and turns == []


def test_the_app_has_analytics_off_and_only_its_documented_api(seeded_settings):
    import os

    from ui.app import API_ENDPOINTS, build_app

    demo = build_app(seeded_settings)
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False" and demo.analytics_enabled is False
    public = {f"/{d.api_name}" for d in demo.fns.values() if d.api_visibility == "public"}
    assert public == set(API_ENDPOINTS)


def test_session_settings_change_only_what_the_session_chose(seeded_settings):
    app = NewsqaUI(seeded_settings)
    assert app.session_settings({}) is seeded_settings
    assert app.session_settings({"top_k": 3}).top_k == 3
    openai = app.session_settings({"backend": "openai", "model": "gpt-4.1-mini"})
    assert openai.resolved_backend == "openai" and openai.model == "gpt-4.1-mini"
    local = app.session_settings({"backend": "local", "model": "/etc/passwd"})
    assert local.model is None  # a browser never picks a file for llama.cpp to load
    assert Path(app.corpus_root()).name == "seeds"
