"""Follow-up questions: the engine answers one question at a time, so a follow-up such as
"Did he say the company stays independent?" is sent with the earlier turn's subject attached.

This is a stop-gap until the engine rewrites queries itself: only short questions or ones
leaning on a pronoun get context, and the context is a few words, not the whole exchange.
"""

from __future__ import annotations

import re

from rag.store import query_terms

PRONOUNS = frozenset("he she it they him her them his hers its their theirs this these those there such".split())
_PHRASES = ("the company", "the firm", "the deal", "the partnership", "that deal", "the same")
_LEADS = ("and ", "but ", "what about", "how about", "also", "so ", "why", "and?")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")
_MARKERS = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
MAX_CONTEXT_WORDS = 8


def needs_context(question: str) -> bool:
    words = [w.lower() for w in _WORD.findall(question)]
    if not words:
        return False
    if any(w in PRONOUNS for w in words):
        return True
    lowered = question.strip().lower()
    if lowered.startswith(_LEADS) or any(p in lowered for p in _PHRASES):
        return True
    return len(query_terms(question)) <= 1


def retrieval_question(question: str, turns: list[dict]) -> str:
    """The question to send to the engine: ``question`` itself, or with the previous turn's subject."""
    question = question.strip()
    previous = next((t for t in reversed(turns) if t.get("answer") is not None), None)
    if previous is None or not needs_context(question):
        return question
    context = _subject(previous["question"], previous["answer"])
    asked = set(query_terms(question))
    context = [w for w in context if w.lower() not in asked][:MAX_CONTEXT_WORDS]
    if not context:
        return question
    return f"{question} (context: {' '.join(context)})"


def _subject(question: str, answer) -> list[str]:
    """The previous question's content words, then up to four words of names in its answer."""
    words = [w for w in _WORD.findall(question) if query_terms(w)]
    seen = {w.lower() for w in words}
    if not answer.abstained:
        names = [w for name in _NAME.findall(_MARKERS.sub("", answer.text)) for w in name.split()]
        extra = [w for w in dict.fromkeys(names) if query_terms(w) and w.lower() not in seen][:4]
        words += extra
    return words
