"""Attach citations to an answer in code, checking each against the passage it names.

Small models write markers that point nowhere, or at the wrong source; the
markers they write are hints, and what the answer's words share with a passage
decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .retrieval import Retrieved
from .store import stems

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z0-9])")
MIN_SUPPORT = 0.3  # share of a sentence's content words that its passage must contain


@dataclass(frozen=True)
class Citation:
    number: int  # the [n] marker in the answer text, numbered in order of first use
    file: str
    title: str
    quote: str  # the passage's sentence that best supports the answer
    score: float  # the chunk's retrieval score
    source: str = ""
    published: str = ""
    url: str = ""
    start: int = -1  # offsets of ``quote`` in the article body, -1 when unknown
    end: int = -1


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, the citation numbers after it, and whether those passages back it."""

    text: str
    citations: tuple[int, ...]
    supported: bool
    support: float  # the best support score among its cited passages, 0..1


def split_sentences(text: str) -> list[str]:
    """Sentences, also cut at line breaks: headlines, captions and bullets end without a full stop."""
    return [s.strip(" \t-–•▼") for line in text.split("\n") for s in _SENTENCE.split(line) if s.strip(" \t-–•▼")]


def support(claim: str, passage: str) -> float:
    """Share of the claim's content words that occur in the passage (0 when it has none)."""
    words = stems(claim)
    if not words:
        return 0.0
    return len(words & stems(passage)) / len(words)


def cite(answer: str, sources: list[Retrieved], question: str = "", embedder=None) -> tuple[str, list[Citation], list[Claim]]:
    """The answer with verified ``[n]`` markers after each sentence, and the citations they name.

    ``sources`` are the passages the model was shown, numbered from 1 in that order.
    Every non-empty answer gets at least one citation when there is any source.
    """
    if not sources:
        return _strip_markers(answer), [], []
    passages = [f"{s.chunk.title}\n{s.chunk.text}" for s in sources]
    sentences = split_sentences(answer) or [answer]
    out_sentences, cited = [], []
    for sentence in sentences:
        claimed = [int(n) for group in _MARKER.findall(sentence) for n in group.split(",")]
        bare = _strip_markers(sentence)
        if not bare:
            continue
        scores = {n: support(bare, passages[n - 1]) for n in range(1, len(sources) + 1)}
        valid = [n for n in claimed if n in scores and scores[n] >= MIN_SUPPORT]
        if not valid:
            best = max(scores, key=scores.get)
            valid = [best] if scores[best] >= MIN_SUPPORT else []
        for n in valid:
            if n not in cited:
                cited.append(n)
        markers = "".join(f"[{n}]" for n in dict.fromkeys(valid))
        out_sentences.append(_attach(bare, markers))
    text = " ".join(out_sentences)
    if not cited:
        # Nothing in the answer matches a passage word for word (a bare "Yes", say):
        # it rests on the passage that best matches answer and question together.
        scores = {n: support(f"{answer} {question}", passages[n - 1]) for n in range(1, len(sources) + 1)}
        cited = [max(scores, key=scores.get)]
        text = _attach(text, f"[{cited[0]}]")
    # Number citations 1, 2, ... in the order the answer first uses them.
    renumber = {old: new for new, old in enumerate(cited, start=1)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber[int(m.group(1))]}]", text)
    citations = [_citation(renumber[n], sources[n - 1], f"{answer} {question}") for n in cited]
    return text, citations, []  # claims: filled in by claim verification


def _strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", text)).strip()


def _attach(sentence: str, markers: str) -> str:
    if not markers:
        return sentence
    if sentence and sentence[-1] in ".!?":
        return f"{sentence[:-1]} {markers}{sentence[-1]}"
    return f"{sentence} {markers}"


def _citation(number: int, source: Retrieved, claim: str) -> Citation:
    chunk = source.chunk
    candidates = split_sentences(chunk.text) or [chunk.text]
    wanted = stems(claim)
    quote = max(candidates, key=lambda s: (len(wanted & stems(s)), -len(s)))
    if len(quote) > 400:
        quote = quote[:397].rstrip() + "…"
    where = chunk.text.find(quote.rstrip("…"))
    start = chunk.start + where if chunk.start >= 0 and where >= 0 else -1
    return Citation(
        number=number,
        file=chunk.file,
        title=chunk.title,
        quote=quote,
        score=round(source.score, 4),
        source=chunk.source,
        published=chunk.published,
        url=chunk.url,
        start=start,
        end=start + len(quote.rstrip("…")) if start >= 0 else -1,
    )
