"""HTML for the chat page: answers with hoverable, clickable [n] markers, source cards, the corpus.

Pure functions over rag's objects, so they can be tested without a browser.
Everything that comes from an article or a model is escaped.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from rag import Answer, Citation
from rag.text import MARKER

ARTICLE_WINDOW = 12_000  # characters of an article shown around its quoted passage


def esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def plain(text: str) -> str:
    """User or model text for the chat, shown as typed: no HTML, no Markdown."""
    return _markdown_safe(text)


def _markdown_safe(text: str) -> str:
    """Escapes what the chat's Markdown renderer would otherwise act on in model text."""
    text = html.escape(text, quote=False)  # quote=True writes &#x27;, whose "#" would be escaped below
    return re.sub(r"([\\`*_{}\[\]#|~])", r"\\\1", text)


def draft_html(pieces: str) -> str:
    """The answer while it streams: the model's raw words, markers not yet verified."""
    return _markdown_safe(pieces) + ' <span class="newsqa-cursor">▍</span>'


def thinking_html() -> str:
    return '<span class="newsqa-muted">Searching the articles…</span>'


def anchor_id(turn: int, number: int) -> str:
    return f"newsqa-src-{turn}-{number}"


def answer_html(answer: Answer, turn: int) -> str:
    """The verified answer, each [n] a link to its source card, each sentence no passage backs marked."""
    by_number = {c.number: c for c in answer.citations}
    body = "".join(_piece_html(piece, supported, by_number, turn) for piece, supported in _claim_pieces(answer))
    if answer.abstained:
        return f'<span class="newsqa-abstain">{body}</span>'
    return body


UNSUPPORTED_TIP = "No cited passage supports this sentence"
# Inline: the page's stylesheet lives in ui/app.py, and the mark must show without it.
_UNSUPPORTED_STYLE = "text-decoration: underline dotted; text-underline-offset: 3px; opacity: 0.7; cursor: help"


def _claim_pieces(answer: Answer) -> list[tuple[str, bool]]:
    """The answer text cut into its claims' sentences (each with its markers), and whether each is backed.

    An answer without claims (an abstention, an answer from before claims) is one backed piece.
    """
    text, claims = answer.text, answer.claims
    if answer.abstained or not claims:
        return [(text, True)]
    starts, cursor = [], 0
    for claim in claims:
        at = text.find(claim.text.rstrip(".!?"), cursor)
        if at < 0:  # text and claims disagree: show the text as it is rather than guess
            return [(text, True)]
        starts.append(at)
        cursor = at + len(claim.text.rstrip(".!?"))
    bounds = [0] + starts[1:] + [len(text)]
    return [(text[a:b], claim.supported) for claim, a, b in zip(claims, bounds, bounds[1:])]


def _piece_html(piece: str, supported: bool, by_number: dict[int, Citation], turn: int) -> str:
    parts: list[str] = []
    last = 0
    for match in MARKER.finditer(piece):
        parts.append(_markdown_safe(piece[last : match.start()]))
        numbers = [int(n) for n in match.group(1).split(",")]
        parts.append("".join(_marker(by_number.get(n), n, turn) for n in numbers))
        last = match.end()
    parts.append(_markdown_safe(piece[last:]))
    body = "".join(parts)
    if supported or not piece.strip():
        return body
    trailing = body[len(body.rstrip()):]
    return (f'<span class="newsqa-unsupported" title="{UNSUPPORTED_TIP}" style="{_UNSUPPORTED_STYLE}">'
            f"{body.rstrip()}</span>{trailing}")


def _marker(citation: Citation | None, number: int, turn: int) -> str:
    if citation is None:
        return f"[{number}]"
    tip = f"{citation.file} — {citation.title}\n“{citation.quote}”"
    return (
        f'<a class="newsqa-cite" href="#{anchor_id(turn, number)}" title="{esc(tip)}">[{number}]</a>'
    )


def error_html(message: str) -> str:
    return f'<span class="newsqa-error">⚠️ {_markdown_safe(message)}</span>'


def _about(c: Citation) -> str:
    parts = [esc(p) for p in (c.source, c.published[:10] if c.published else "") if p]
    return " · ".join(parts)


def sources_html(turns: list[dict], corpus_root: Path | None) -> str:
    """The sources panel: the latest answer's sources open, earlier answers' folded below."""
    answered = [(i, t) for i, t in enumerate(turns) if t.get("answer") is not None or t.get("error")]
    if not answered:
        return (
            '<div class="newsqa-sources newsqa-empty">Ask a question: the articles each answer rests on '
            "appear here, with the quoted passage. Click a [n] marker to jump to its source.</div>"
        )
    blocks = []
    latest_turn, latest = answered[-1]
    blocks.append(_turn_sources(latest_turn, latest, corpus_root))
    if len(answered) > 1:
        earlier = "".join(_turn_sources(i, t, corpus_root) for i, t in reversed(answered[:-1]))
        blocks.append(f'<details class="newsqa-earlier"><summary>Earlier answers ({len(answered) - 1})</summary>'
                      f"{earlier}</details>")
    return '<div class="newsqa-sources">' + "".join(blocks) + "</div>"


def _turn_sources(turn: int, entry: dict, corpus_root: Path | None) -> str:
    question = esc(entry["question"])
    head = f'<div class="newsqa-turn-q">Q{turn + 1}: {question}</div>'
    if entry.get("error"):
        return f'<div class="newsqa-turn">{head}<div class="newsqa-error">No answer: {esc(entry["error"])}</div></div>'
    answer: Answer = entry["answer"]
    timing = _timing(answer)
    if answer.abstained:
        closest = ""
        if answer.retrieved:
            closest = f" The closest article was <code>{esc(answer.retrieved[0].file)}</code>, and it does not answer it."
        body = (f'<div class="newsqa-abstain-card"><b>No source answers this.</b> None of the indexed articles '
                f"says; newsqa does not guess.{closest}</div>")
        return f'<div class="newsqa-turn">{head}{body}{timing}</div>'
    cards = "".join(_card(turn, c, corpus_root) for c in answer.citations)
    return f'<div class="newsqa-turn">{head}{cards}{timing}</div>'


def _timing(answer: Answer) -> str:
    t = answer.timings or {}
    bits = []
    if answer.model:
        bits.append(esc(answer.model))
    if "first_token_s" in t:
        bits.append(f"first word {t['first_token_s']:.1f} s")
    if "total_s" in t:
        bits.append(f"total {t['total_s']:.1f} s")
    return f'<div class="newsqa-timing">{" · ".join(bits)}</div>' if bits else ""


def _card(turn: int, c: Citation, corpus_root: Path | None) -> str:
    about = _about(c) or "<span class='newsqa-muted'>no publisher or date in the file</span>"
    link = f' · <a href="{esc(c.url)}" target="_blank" rel="noopener noreferrer">link</a>' if c.url.startswith(("http://", "https://")) else ""
    meta = " · ".join(p for p in (f"<code class='newsqa-file'>{esc(c.file)}</code>", about,
                                  f"score {c.score:.2f}") if p)
    article = article_html(c, corpus_root)
    return (
        f'<div class="newsqa-card" id="{anchor_id(turn, c.number)}">'
        f'<div class="newsqa-card-title"><span class="newsqa-num">[{c.number}]</span> {esc(c.title)}</div>'
        f'<div class="newsqa-card-meta">{meta}{link}</div>'
        f'<blockquote class="newsqa-quote">“{esc(c.quote)}”</blockquote>'
        f'<details class="newsqa-article"><summary>Open the article</summary>{article}</details>'
        "</div>"
    )


def article_html(c: Citation, corpus_root: Path | None) -> str:
    """The cited article's text with the quoted passage highlighted, or why it cannot be shown."""
    text = read_article_text(c.file, corpus_root)
    if text is None:
        return '<div class="newsqa-article-body newsqa-muted">The file is no longer in the corpus folder.</div>'
    start, end = c.start, c.end
    if not (0 <= start < end <= len(text)) or text[start:end].strip() == "":
        found = text.find(c.quote) if c.quote else -1
        start, end = (found, found + len(c.quote)) if found >= 0 else (-1, -1)
    if start < 0:
        body = esc(text[:ARTICLE_WINDOW]) + (" …" if len(text) > ARTICLE_WINDOW else "")
    else:
        lo = max(0, start - ARTICLE_WINDOW // 2)
        hi = min(len(text), end + ARTICLE_WINDOW // 2)
        body = (("… " if lo else "") + esc(text[lo:start]) + '<mark class="newsqa-mark">' + esc(text[start:end])
                + "</mark>" + esc(text[end:hi]) + (" …" if hi < len(text) else ""))
    return f'<div class="newsqa-article-body">{body}</div>'


def read_article_text(file: str, corpus_root: Path | None) -> str | None:
    """The article body exactly as ingest parsed it, so citation offsets line up."""
    from rag.corpus import SkippedFile, parse_article

    if corpus_root is None:
        return None
    root = Path(corpus_root).resolve()
    try:
        path = (root / file).resolve()
    except (OSError, ValueError):  # a link loop, a NUL in the name
        return None
    if root not in path.parents or not path.is_file():  # never read outside the corpus folder
        return None
    try:
        return parse_article(file, path.read_bytes()).text
    except (OSError, SkippedFile):
        return None


def corpus_markdown(stats: dict) -> str:
    when = stats.get("last_ingested") or "never"
    return (
        f"**{stats['articles']}** articles · **{stats['chunks']}** chunks · last ingested **{when}**  \n"
        f"Folder: `{stats['corpus']}`"
    )


def status_markdown(status: dict) -> str:
    return (f"**LLM:** `{status['llm']}` · **Embedder:** `{status['embedder']}` · "
            f"**Index:** `{status['index']}` ({status['articles']} articles)")
