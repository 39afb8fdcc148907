"""The Gradio chat page: `newsqa ui`.

One page: the chat on the left; sources, corpus and settings on the right.
The same process answers the page and the API endpoints (see API_ENDPOINTS),
all through rag's public API.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from rag import Answer, IndexStatus, NewsqaError, Settings, ask, ask_stream, ingest, status

import gradio as gr
from rag.chunking import chunking_id
from rag.embeddings import embedder_id
from rag.errors import ConfigError
from rag.llm import CHAT_BACKENDS, OPENAI_DEFAULT_MODEL, chat_backend, llm_name
from rag.settings import check_question

from . import render
from .conversation import api_history, chat_history, searched_for_html
from .corpus import UPLOAD_DIR, UPLOAD_SUFFIXES, corpus_figures, example_questions, save_uploads

log = logging.getLogger("newsqa.ui")

ANSWER_CONCURRENCY = 16  # answers in flight; the local model itself answers one at a time

API_ENDPOINTS = {
    "/ask": "ask(question, previous_question='', top_k=0) -> the Answer as a dict (Answer.to_dict()): "
            "question is the standalone question answered, asked the question sent",
    "/ask_stream": "ask_stream(question, previous_question='', top_k=0) -> drafts, then the Answer as a dict",
    "/corpus": "corpus() -> articles, chunks, last_ingested, corpus folder, llm, embedder, chunking, top_k",
}


class NewsqaUI:
    """What the page's handlers share: the launch settings, the corpus folder, one ingest at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.ingest_lock = threading.Lock()

    # -- engine access ---------------------------------------------------------------------

    def engine(self, settings: Settings | None = None):
        from rag.answer import engine_for

        return engine_for(settings or self.settings)

    def corpus_root(self) -> Path:
        root = self.engine().index.meta("corpus") or self.settings.corpus
        if root is None:
            from rag.settings import DEFAULT_CORPUS

            root = DEFAULT_CORPUS
        return Path(root)

    def index_status(self, settings: Settings | None = None) -> IndexStatus:
        return status(settings or self.settings, self.engine().index)

    def stats(self) -> dict:
        return corpus_figures(self.index_status(), self.settings)

    def session_settings(self, prefs: dict | None) -> Settings:
        """The launch settings with this browser session's choices of backend, model and top-k."""
        prefs = prefs or {}
        changes = {}
        if prefs.get("backend") and prefs["backend"] != self.settings.resolved_backend:
            changes["backend"] = prefs["backend"]
        backend = chat_backend(changes.get("backend", self.settings.resolved_backend))
        model = (prefs.get("model") or "").strip()
        if model and not backend.in_process:
            changes["model"] = model  # a model file is chosen at launch only: never from a browser
        elif backend.name != self.settings.resolved_backend:
            changes["model"] = None  # the launch's model is the launch backend's; None is the chosen one's default
        if prefs.get("top_k"):
            changes["top_k"] = int(prefs["top_k"])
        if not changes:
            return self.settings
        settings = dataclasses.replace(self.settings, **changes)
        settings.validate()
        return settings

    def status(self, settings: Settings | None = None) -> dict:
        now = self.index_status(settings)
        return {"llm": now.llm, "embedder": now.embedder, "index": now.index, "articles": now.articles}

    # -- ingest ----------------------------------------------------------------------------

    def ingest(self, progress: bool = True):
        with self.ingest_lock:
            return ingest(self.corpus_root(), settings=self.settings, progress=progress)


# -- the chat --------------------------------------------------------------------------------


def answer_turn(app: NewsqaUI, question: str, history: list, turns: list, prefs: dict) -> Iterator[tuple]:
    """Streams one turn into the chat: (textbox, chat history, turns, sources panel) after each piece."""
    question = (question or "").strip()
    history = list(history or [])
    turns = list(turns or [])
    if not question:
        yield gr.update(), history, turns, gr.update()
        return
    turn = len(turns)
    entry = {"question": question}
    turns.append(entry)
    history.append({"role": "user", "content": render.plain(question)})
    history.append({"role": "assistant", "content": render.thinking_html()})
    yield "", history, turns, gr.update()

    draft = ""
    answer = None
    try:
        settings = app.session_settings(prefs)
        check_question(question, settings)  # the textbox's limit holds only in a browser
        answering = ask_stream(question, history=chat_history(turns[:-1]), settings=settings)
        for text in answering:
            draft += text
            history[-1] = {"role": "assistant", "content": render.draft_html(draft)}
            yield "", history, turns, gr.update()
        answer = answering.answer()
    except NewsqaError as error:
        entry["error"] = str(error)
    except Exception as error:  # noqa: BLE001 - one bad turn must not take the page down
        log.exception("answering %r failed", question)
        entry["error"] = f"Something went wrong while answering ({type(error).__name__}: {error})."
    if answer is not None:
        entry["answer"] = answer
        history[-1] = {"role": "assistant", "content": searched_for_html(answer) + render.answer_html(answer, turn)}
    else:
        history[-1] = {"role": "assistant", "content": render.error_html(entry["error"])}
    yield "", history, turns, render.sources_html(turns, app.corpus_root())


def new_chat():
    return [], [], render.sources_html([], None), ""


# -- the corpus ------------------------------------------------------------------------------


def _corpus_outputs(app: NewsqaUI, prefs: dict | None):
    stats = app.stats()
    examples = [[q] for q in example_questions(stats["titles"])]
    return (
        render.corpus_markdown(stats),
        render.status_markdown(app.status(app.session_settings(prefs))),
        gr.Dataset(samples=examples),
    )


def add_articles(app: NewsqaUI, files, prefs, progress=gr.Progress(track_tqdm=True)):
    """Saves uploads into the corpus folder's uploads/ and ingests incrementally."""
    paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
    if not paths:
        return (None, gr.update(), *_corpus_outputs(app, prefs))
    progress(0.05, desc=f"Checking {len(paths)} file(s)")
    root = app.corpus_root()
    result = save_uploads(paths, root, int(app.settings.max_file_mb * 1_000_000))
    lines = []
    report = None
    if result.saved:
        progress(0.2, desc=f"Ingesting {len(result.saved)} new file(s)")
        try:
            report = app.ingest(progress=True)
        except NewsqaError as error:
            lines.append(f"✗ Ingest failed: {error}")
    if result.saved:
        count = len(result.saved)
        lines.append(f"✓ Added {count} article{'s' if count != 1 else ''}: " + ", ".join(f"`{p}`" for p in result.saved))
    if result.same:
        lines.append("Already in the corpus, unchanged: " + ", ".join(f"`{p}`" for p in result.same))
    for name, reason in result.rejected:
        lines.append(f"⚠️ `{render.esc(name)}` was not added: {render.esc(reason)}")
    if report is not None:
        lines.append(_report_line(report))
        for path, reason in report.skipped:
            lines.append(f"⚠️ `{render.esc(path)}` skipped by ingest: {render.esc(reason)}")
    if not lines:
        lines.append("Nothing to add.")
    return (None, "\n\n".join(lines), *_corpus_outputs(app, prefs))


def reingest(app: NewsqaUI, prefs, progress=gr.Progress(track_tqdm=True)):
    progress(0.05, desc="Reading the corpus folder")
    try:
        report = app.ingest(progress=True)
        lines = [_report_line(report)]
        lines += [f"⚠️ `{render.esc(p)}` skipped: {render.esc(r)}" for p, r in report.skipped]
        text = "\n\n".join(lines)
    except NewsqaError as error:
        text = f"✗ Ingest failed: {error}"
    return (text, *_corpus_outputs(app, prefs))


def _report_line(report) -> str:
    return (f"Ingested in {report.seconds:.1f} s: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, {len(report.skipped)} skipped; "
            f"the index holds {report.total_files} articles, {report.total_chunks} chunks.")


# -- settings --------------------------------------------------------------------------------


def apply_settings(app: NewsqaUI, backend: str, model: str, top_k, prefs: dict):
    prefs = {"backend": backend, "model": model, "top_k": int(top_k) if top_k else None}
    try:
        settings = app.session_settings(prefs)
        note = ""
    except ConfigError as error:
        prefs = dict(prefs, top_k=None)
        settings = app.session_settings(prefs)
        note = f"⚠️ {error}"
    return prefs, render.status_markdown(app.status(settings)), settings_markdown(app, settings, note)


def settings_markdown(app: NewsqaUI, settings: Settings, note: str = "") -> str:
    lines = [
        f"- **Backend:** `{settings.resolved_backend}` · **model:** `{llm_name(settings)}`",
        f"- **Top-k:** {settings.top_k} chunks retrieved, {settings.context_chunks} shown to the LLM",
        f"- **Chunking:** {settings.chunk_size} tokens, {settings.chunk_overlap} overlap "
        f"(`{chunking_id(settings.chunk_size, settings.chunk_overlap)}`); changing it means re-ingesting, "
        "so it is set at launch (`--chunk-size`, `--chunk-overlap`)",
        f"- **Embedder:** `{embedder_id(settings)}` · **index:** `{settings.index}` in `{settings.data_dir}`",
    ]
    if note:
        lines.insert(0, note)
    return "\n".join(lines)


# -- the API ---------------------------------------------------------------------------------


def _api_settings(app: NewsqaUI, top_k) -> Settings:
    try:
        return app.session_settings({"top_k": int(top_k) if top_k else None})
    except (ConfigError, ValueError) as error:
        raise gr.Error(str(error)) from None


def _api_question(question: str, settings: Settings) -> str:
    try:
        return check_question(question, settings)
    except ConfigError as error:
        raise gr.Error(str(error)) from None


# -- the page --------------------------------------------------------------------------------

CSS = """
.gradio-container { max-width: 1400px !important; margin: auto; }
#newsqa-title h1 { margin-bottom: 0; }
#newsqa-status { font-size: 0.9em; opacity: 0.9; }
a.newsqa-cite, a[href^="#newsqa-src-"] { font-size: 0.8em; vertical-align: super; text-decoration: none;
  font-weight: 600; padding: 0 1px; cursor: pointer; }
.newsqa-muted { opacity: 0.65; font-style: italic; }
.newsqa-searched { font-size: 0.85em; opacity: 0.65; font-style: italic; margin-bottom: 4px; }
.newsqa-cursor { opacity: 0.6; animation: newsqa-blink 1s steps(1) infinite; }
@keyframes newsqa-blink { 50% { opacity: 0; } }
.newsqa-error { color: #b42318; }
.newsqa-sources { display: flex; flex-direction: column; gap: 10px; max-height: 640px; overflow-y: auto;
  padding-right: 4px; }
.newsqa-empty { opacity: 0.7; padding: 12px; }
.newsqa-turn-q { font-weight: 600; margin: 4px 0 6px; }
.newsqa-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 8px; background: var(--background-fill-secondary); transition: box-shadow .3s; }
.newsqa-flash { box-shadow: 0 0 0 3px var(--color-accent); }
.newsqa-card-title { font-weight: 600; }
.newsqa-num { color: var(--color-accent); }
.newsqa-card-meta { font-size: 0.85em; opacity: 0.8; margin: 2px 0 6px; }
.newsqa-quote { margin: 6px 0; padding-left: 10px; border-left: 3px solid var(--color-accent); font-style: italic; }
.newsqa-article summary, .newsqa-earlier summary { cursor: pointer; font-size: 0.9em; color: var(--color-accent); }
.newsqa-article-body { white-space: pre-wrap; max-height: 320px; overflow-y: auto; font-size: 0.9em;
  line-height: 1.45; margin-top: 6px; padding: 8px; border-radius: 6px; background: var(--background-fill-primary); }
mark.newsqa-mark { background: #ffe58a; color: #111; padding: 1px 0; border-radius: 2px; }
.newsqa-abstain-card { border: 1px dashed var(--border-color-primary); border-radius: 8px; padding: 10px 12px; }
.newsqa-timing { font-size: 0.8em; opacity: 0.6; }
"""

# Clicking a [n] marker opens its source card and the article at the highlighted passage.
HEAD = """
<script>
(function () {
  function reveal(card) {
    var earlier = card.closest('details.newsqa-earlier');
    if (earlier) earlier.open = true;
    var tab = document.querySelector('button[role="tab"][id$="newsqa-tab-sources-button"]');
    if (tab) tab.click();
    var article = card.querySelector('details.newsqa-article');
    if (article) article.open = true;
    card.scrollIntoView({behavior: 'smooth', block: 'start'});
    card.classList.add('newsqa-flash');
    setTimeout(function () { card.classList.remove('newsqa-flash'); }, 1600);
    setTimeout(function () { focusMark(card); }, 350);
  }
  function focusMark(root) {
    var mark = root.querySelector('mark.newsqa-mark');
    var body = mark && mark.closest('.newsqa-article-body');
    if (body) body.scrollTop = Math.max(0, mark.offsetTop - body.offsetTop - 60);
  }
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#newsqa-src-"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    var card = document.getElementById(link.getAttribute('href').slice(1));
    if (card) reveal(card);
  }, true);
  document.addEventListener('toggle', function (event) {
    var el = event.target;
    if (el.classList && el.classList.contains('newsqa-article') && el.open) focusMark(el);
  }, true);
})();
</script>
"""


def build_app(settings: Settings) -> gr.Blocks:
    """The page and its API endpoints, over the index ``settings`` name (already ingested)."""
    app = NewsqaUI(settings)
    stats = app.stats()
    examples = [[q] for q in example_questions(stats["titles"])]

    with gr.Blocks(title="newsqa", analytics_enabled=False) as demo:
        turns = gr.State([])
        prefs = gr.State({})
        with gr.Row(equal_height=False):
            gr.Markdown("# newsqa\nAsk questions of the news articles; every answer cites the files it rests on.",
                        elem_id="newsqa-title")
        status = gr.Markdown(render.status_markdown(app.status()), elem_id="newsqa-status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chat = gr.Chatbot(
                    label="Chat", show_label=False, elem_id="newsqa-chat", height=560, feedback_options=None,
                    buttons=["copy"], sanitize_html=True,
                    placeholder="Ask something the articles answer. Hover or click a [n] marker to see its source.",
                )
                with gr.Row():
                    question = gr.Textbox(placeholder="Ask about the articles…", show_label=False, scale=6,
                                          elem_id="newsqa-question", autofocus=True,
                                          max_length=settings.max_question_chars,
                                          submit_btn=False, lines=1)
                    ask_button = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="newsqa-ask")
                    new_button = gr.Button("New chat", scale=1, min_width=120, elem_id="newsqa-new")
                example_list = gr.Dataset(components=[question], samples=examples, label="Try asking",
                                          elem_id="newsqa-examples", samples_per_page=6)
            with gr.Column(scale=2, min_width=360):
                with gr.Tabs(elem_id="newsqa-tabs") as tabs:
                    with gr.Tab("Sources", id="sources", elem_id="newsqa-tab-sources"):
                        sources = gr.HTML(render.sources_html([], None), elem_id="newsqa-sources")
                    with gr.Tab("Corpus", id="corpus", elem_id="newsqa-tab-corpus"):
                        corpus_info = gr.Markdown(render.corpus_markdown(stats), elem_id="newsqa-corpus-info")
                        uploads = gr.File(
                            label=f"Add articles (.txt, .md, .html; up to {settings.max_file_mb:g} MB each)",
                            file_count="multiple", file_types=list(UPLOAD_SUFFIXES), elem_id="newsqa-upload",
                        )
                        reingest_button = gr.Button("Re-ingest the folder", elem_id="newsqa-reingest", size="sm")
                        ingest_summary = gr.Markdown(
                            f"Uploads are saved in `{UPLOAD_DIR}/` inside the corpus folder and only new or changed "
                            "files are embedded.", elem_id="newsqa-ingest-summary")
                    with gr.Tab("Settings", id="settings", elem_id="newsqa-tab-settings"):
                        backend = gr.Dropdown(sorted(CHAT_BACKENDS), value=settings.resolved_backend, label="Backend",
                                              elem_id="newsqa-backend")
                        model = gr.Textbox(
                            label="Model (openai backend; the local model is chosen at launch with --model)",
                            value="" if chat_backend(settings.resolved_backend).in_process else settings.model,
                            placeholder=OPENAI_DEFAULT_MODEL, elem_id="newsqa-model",
                        )
                        top_k = gr.Slider(1, min(50, settings.candidates), value=settings.top_k, step=1,
                                          label="Top-k chunks retrieved", elem_id="newsqa-topk")
                        settings_info = gr.Markdown(settings_markdown(app, settings), elem_id="newsqa-settings-info")

        chat_outputs = [question, chat, turns, sources]

        def respond(text, history, turn_list, session):
            yield from answer_turn(app, text, history, turn_list, session)

        def respond_example(sample, history, turn_list, session):
            text = sample[0] if isinstance(sample, (list, tuple)) else sample
            yield from answer_turn(app, text, history, turn_list, session)

        def show_sources():
            return gr.Tabs(selected="sources")

        for trigger in (question.submit, ask_button.click):
            trigger(show_sources, None, tabs, queue=False, api_visibility="private").then(
                respond, [question, chat, turns, prefs], chat_outputs, show_progress="hidden",
                api_visibility="private", concurrency_limit=ANSWER_CONCURRENCY, concurrency_id="answer",
            )
        example_list.click(show_sources, None, tabs, queue=False, api_visibility="private").then(
            respond_example, [example_list, chat, turns, prefs], chat_outputs, show_progress="hidden",
            api_visibility="private", concurrency_limit=ANSWER_CONCURRENCY, concurrency_id="answer",
        )
        new_button.click(new_chat, None, [chat, turns, sources, question], queue=False, api_visibility="private")
        chat.clear(new_chat, None, [chat, turns, sources, question], queue=False, api_visibility="private")

        corpus_outputs = [corpus_info, status, example_list]
        uploads.upload(
            lambda files, session, progress=gr.Progress(track_tqdm=True): add_articles(app, files, session, progress),
            [uploads, prefs], [uploads, ingest_summary, *corpus_outputs], api_visibility="private",
            concurrency_limit=1, concurrency_id="ingest", show_progress_on=[ingest_summary],
        )
        reingest_button.click(
            lambda session, progress=gr.Progress(track_tqdm=True): reingest(app, session, progress),
            [prefs], [ingest_summary, *corpus_outputs], api_visibility="private",
            concurrency_limit=1, concurrency_id="ingest",
        )
        for control in (backend, model, top_k):
            control.change(
                lambda b, m, k, session: apply_settings(app, b, m, k, session),
                [backend, model, top_k, prefs], [prefs, status, settings_info], api_visibility="private",
                queue=False,
            )
        demo.load(lambda session: _corpus_outputs(app, session), [prefs], corpus_outputs, api_visibility="private")

        # -- API endpoints, for gradio_client and HTTP callers ---------------------------------
        def ask_api(question: str, previous_question: str = "", top_k: int = 0) -> dict:
            """Answers a question from the indexed articles: the Answer's fields as a dict.

            previous_question makes `question` a follow-up to it; top_k (0: the server's) sets the chunks retrieved.
            """
            settings = _api_settings(app, top_k)
            asked = _api_question(question, settings)
            try:
                return ask(asked, history=api_history(previous_question), settings=settings).to_dict()
            except NewsqaError as error:
                raise gr.Error(str(error)) from None

        def ask_stream_api(question: str, previous_question: str = "", top_k: int = 0) -> Iterator[dict]:
            """Like ask, streamed: dicts with the draft text and done=False, then the Answer's dict with done=True."""
            settings = _api_settings(app, top_k)
            asked = _api_question(question, settings)
            draft = ""
            try:
                answering = ask_stream(asked, history=api_history(previous_question), settings=settings)
                for text in answering:
                    draft += text
                    yield {**Answer(asked, draft, [], False, []).to_dict(), "done": False}  # the final's keys
                yield {**answering.answer().to_dict(), "done": True}
            except NewsqaError as error:
                raise gr.Error(str(error)) from None

        def corpus_api() -> dict:
            """What the index holds and which LLM, embedder and chunking answer."""
            now = app.index_status()
            info = corpus_figures(now, app.settings)
            info.pop("titles")
            info.update(llm=now.llm, embedder=now.embedder, chunking=now.chunking, top_k=app.settings.top_k,
                        index=now.index)
            return info

        gr.api(ask_api, api_name="ask", concurrency_limit=ANSWER_CONCURRENCY, concurrency_id="answer")
        gr.api(ask_stream_api, api_name="ask_stream", concurrency_limit=ANSWER_CONCURRENCY, concurrency_id="answer")
        gr.api(corpus_api, api_name="corpus")
    demo.newsqa = app  # for tests and callers that want the shared state
    return demo


# System fonts only: the default theme fetches Google Fonts, which an offline page waits on.
THEME = gr.themes.Soft(primary_hue="indigo", font=["ui-sans-serif", "system-ui", "sans-serif"],
                       font_mono=["ui-monospace", "SFMono-Regular", "monospace"])
