"""Follow-ups on the page: the chat so far goes to the engine as plain turns, which rewrites a follow-up
(rag/followup.py); the page shows what was searched for when it differs from what was typed.
"""

from __future__ import annotations

from rag import Answer, Turn

from .render import esc


def chat_history(turns: list[dict]) -> list[Turn]:
    """The answered turns, oldest first; a turn that failed has nothing to lean on."""
    return [t["answer"].turn() for t in turns if t.get("answer") is not None]


def api_history(previous_question: str) -> list[Turn]:
    """A one-turn history from an API caller's ``previous_question`` (its answer unknown)."""
    previous_question = (previous_question or "").strip()
    return [Turn(previous_question)] if previous_question else []


def searched_for_html(answer: Answer) -> str:
    """A muted line saying which standalone question was answered; "" when it is what the user typed."""
    if not answer.asked or answer.asked == answer.question:
        return ""
    # The blank line ends the HTML block, so the answer after it is still read as Markdown.
    return f'<div class="newsqa-searched">Searched for: {esc(answer.question)}</div>\n\n'
