"""Follow-up questions: rewrite "what did the other article say?" into a standalone question."""

from __future__ import annotations


def standalone(question: str, history: list, chat_model=None) -> str:
    """``question`` rewritten to stand alone, given the earlier answers in ``history`` (oldest first)."""
    return question
