"""Baselines that use no LLM, scored with the same strict scorer on the same questions as the engine.

A score means little alone: when most yes/no golds are "Yes", a model that always
says yes looks good, and the retriever's top passage often holds a factoid's answer.

    always_yes   "Yes" to every yes/no question; reported over those questions only
    majority     each question type's most common normalised gold answer in the pack
    extractive   the sentence of the top retrieved passage that shares most words with the question
"""

from __future__ import annotations

from collections import Counter

from rag.text import split_sentences, stems

from . import metrics as m

NAMES = ("always_yes", "majority", "extractive")


# ---------------------------------------------------------------------------------------------
# Answering


def majority_answers(questions) -> dict[str, str]:
    """Each type's most common normalised gold answer over its answerable questions; a tie goes to the first seen."""
    counts: dict[str, Counter] = {}
    for question in questions:
        if question.answerable:
            counts.setdefault(question.type, Counter())[m.normalize(question.answer)] += 1
    return {question_type: count.most_common(1)[0][0] for question_type, count in counts.items()}


def best_sentence(passage: str, question: str) -> str:
    """The passage's sentence sharing the most stemmed content words with the question; a tie goes to the earlier."""
    wanted = stems(question)
    return max(split_sentences(passage), key=lambda sentence: len(stems(sentence) & wanted), default="")


def extractive(question: str, passages: list[str] | None) -> str | None:
    """The extractive baseline's answer: "" (an abstention) without passages, None when their text was not kept."""
    if passages is None:
        return None
    return best_sentence(passages[0], question) if passages else ""


def answers(question, majority: dict[str, str], passages: list[str] | None) -> dict[str, str | None]:
    """Each baseline's answer to ``question``; None where it gives none.

    ``passages``: the retrieved texts, best first, or None for an answer saved without them.
    """
    return {
        "always_yes": "Yes" if m.is_yes_no(question.golds) else None,
        "majority": majority.get(question.type),
        "extractive": extractive(question.question, passages),
    }


def scores(question, texts: dict) -> dict[str, float | None]:
    """Each baseline's strict score; None on an unanswerable question or where the baseline gave no answer."""
    return {name: m.strict_correct(texts[name], question.golds, question.question)
            if question.answerable and texts.get(name) is not None else None
            for name in NAMES}


# ---------------------------------------------------------------------------------------------
# Aggregating


def versus(rows: list[dict], name: str) -> dict:
    """A baseline's strict mean over the rows it answered, and the engine's over those same rows."""
    answered = [r for r in rows if r["scores"]["baselines"].get(name) is not None]
    if not answered:
        return {"strict": None, "n": 0, "engine": None, "delta": None, "beats": None}
    baseline = m.mean(r["scores"]["baselines"][name] for r in answered)
    engine = m.mean(r["scores"]["strict"] for r in answered)
    return {"strict": baseline, "n": len(answered), "engine": engine, "delta": engine - baseline,
            "beats": engine > baseline}


def group(rows: list[dict]) -> dict:
    """The engine's strict over the answerable ``rows``, and each baseline against it."""
    answerable = [r for r in rows if r["scores"]["answerable"]]
    engine = {"strict": m.mean(r["scores"]["strict"] for r in answerable), "n": len(answerable)}
    return {"engine": engine} | {name: versus(answerable, name) for name in NAMES}


def summarize(rows: list[dict]) -> dict:
    """Baselines against the engine over all questions, per type (types with answerable questions) and on yes/no."""
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        if row["scores"]["answerable"]:
            by_type.setdefault(row["type"], []).append(row)
    return {"all": group(rows), "by_type": {t: group(rs) for t, rs in sorted(by_type.items())},
            "yes_no": group([r for r in rows if r["scores"]["yes_no"]])}
