"""Attach citations to an answer in code, checking each against the passage it names.

Small models write markers that point nowhere, or at the wrong source; the
markers they write are hints. What a sentence's words share with a passage, and
how close it comes in meaning to one of the passage's sentences, decides; a
sentence no passage backs is kept, unmarked, and flagged as unsupported.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from .retrieval import Retrieved
from .text import MARKER, marker_numbers, split_sentences, stems

_WORD = re.compile(r"[A-Za-z0-9][\w’'@-]*")
_LIST_NUMBER = re.compile(r"^\s*\d+[.)]\s+")
# A passage backs a sentence when the mean of two scores reaches SUPPORTED: the share of the
# sentence's content words found in the passage, and its best cosine with one of the passage's
# sentences (which lets a paraphrase through), and when every number and name the sentence adds
# to the question occurs in the passages it cites. SmolLM2 invents by mixing the article's words
# with a made-up date or name: on its answers to the seeds, 49 hand-labelled sentences, the mean
# alone at 0.5 judged 31 right, with the names-and-numbers rule 44 at 0.6. Without an embedder
# the lexical share alone must reach SUPPORTED.
SUPPORTED = 0.6
_REPLY_WORDS = stems("yes answer question")  # what a bare reply adds to the question it answers


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

    text: str  # the sentence as shown, without its markers
    citations: tuple[int, ...]
    supported: bool
    support: float  # the best support score among its cited passages (among all, when it cites none), 0..1


def support(claim: str, passage: str) -> float:
    """Share of the claim's content words that occur in the passage (0 when it has none)."""
    words = stems(claim)
    if not words:
        return 0.0
    return len(words & stems(passage)) / len(words)


def cite(answer: str, sources: list[Retrieved], question: str = "", embedder=None) -> tuple[str, list[Citation], list[Claim]]:
    """The answer with verified ``[n]`` markers, the citations they name, and a verdict on each sentence.

    ``sources`` are the passages the model was shown, numbered from 1 in that order.
    A sentence carries markers only for passages that back it. Every non-empty
    answer gets at least one citation when there is any source.
    """
    claimed, bare = [], []
    for sentence in split_sentences(answer) or [answer]:
        if _without_markers(sentence):
            claimed.append(marker_numbers(sentence))
            bare.append(_without_markers(sentence))
    if not sources or not bare:
        return " ".join(bare), [], [Claim(b, (), False, 0.0) for b in bare]
    passages = {n: f"{s.chunk.title}\n{s.chunk.source} {s.chunk.published[:10]}\n{s.chunk.text}"
                for n, s in enumerate(sources, start=1)}
    vocab = {n: stems(p) for n, p in passages.items()}
    judged = [_judged(b, question) for b in bare]
    # A bare "Yes." to a question about two articles rests on each: its clauses come from the question.
    clauses = [_clauses(j) for j in judged]
    flat_clauses = [c for group in clauses if len(group) > 1 for c in group]
    all_scores = _scores(judged + flat_clauses, passages, sources, embedder)
    scores, clause_scores = all_scores[: len(judged)], dict(zip(flat_clauses, all_scores[len(judged):]))
    asked = stems(question)
    cited, partly = [], set()
    for i, (b, n_claimed, row) in enumerate(zip(bare, claimed, scores)):
        if len(clauses[i]) < 2:
            cited.append(_backing(b, n_claimed, row, vocab, asked))
            continue
        # "The CNBC article says X, while the Herald reports Y": each clause is checked on its own.
        backed = [_backing(c, n_claimed, clause_scores[c], vocab, asked) for c in clauses[i]]
        whole = _backing(b, n_claimed, row, vocab, asked)
        if all(backed) or not whole:
            cited.append(list(dict.fromkeys(n for chosen in backed for n in chosen)))
            if not all(backed) and cited[-1]:
                partly.add(i)
        else:
            cited.append(whole)
    fallback = None
    if not any(cited):
        # Nothing the answer says is backed by a passage; it still points at the first one, the
        # engine's best evidence and the one a small model leans on (an invented answer's own words
        # would pick whichever passage it garbled), on its closest sentence, which stays unsupported.
        best = 1
        fallback = max(range(len(bare)), key=lambda i: scores[i][best])
        cited[fallback] = [best]
    # Number citations 1, 2, ... in the order the answer first uses them.
    order = list(dict.fromkeys(n for chosen in cited for n in chosen))
    renumber = {old: new for new, old in enumerate(order, start=1)}
    text = " ".join(_attach(b, "".join(f"[{renumber[n]}]" for n in chosen)) for b, chosen in zip(bare, cited))
    claims = [
        Claim(b, tuple(renumber[n] for n in chosen), bool(chosen) and i != fallback and i not in partly,
              round(max(row[n] for n in chosen) if chosen else max(row.values()), 3))
        for i, (b, chosen, row) in enumerate(zip(bare, cited, scores))
    ]
    citations = []
    for n in order:
        backed = " ".join(judged[i] for i, chosen in enumerate(cited) if n in chosen)
        citations.append(citation_for(renumber[n], sources[n - 1], backed))
    return text, citations, claims


_CLAUSE = re.compile(r",?\s+(?:while|whereas)\s+|;\s+|,\s+but\s+|,\s+and\s+(?=the\b)", re.IGNORECASE)


def _clauses(sentence: str) -> list[str]:
    """A sentence's clauses about different things, when it joins them; each has three content words or more."""
    parts = [p for p in _CLAUSE.split(sentence) if len(stems(p)) >= 3]
    return parts if len(parts) > 1 else [sentence]


def specifics(sentence: str) -> set[str]:
    """The stems of a sentence's numbers and names (capitalised words after its first): what models invent.

    Word by word, not :func:`rag.text.names`' runs: each word is checked against the passages on its
    own, and numbers count too.
    """
    words = _WORD.findall(_LIST_NUMBER.sub("", sentence))
    named = [w for i, w in enumerate(words) if any(c.isdigit() for c in w) or (i > 0 and w[0].isupper())]
    return stems(" ".join(named))


def _backing(sentence: str, claimed: list[int], row: dict[int, float], vocab: dict[int, set[str]],
             asked: set[str]) -> list[int]:
    """The source numbers that back a sentence: those it claims if they do, else the best; [] when none does."""
    passing = sorted((n for n in row if row[n] >= SUPPORTED), key=row.get, reverse=True)
    chosen = [n for n in dict.fromkeys(claimed) if n in passing] or passing[:1]
    missing = specifics(sentence) - asked - set().union(*(vocab[n] for n in chosen))
    for n in passing:  # a sentence may join facts from two articles
        if missing & vocab[n]:
            chosen.append(n)
            missing -= vocab[n]
    return chosen if not missing else []


def _judged(sentence: str, question: str) -> str:
    """What a sentence claims: a bare reply ("Yes.", "No, it did not.") claims what the question asks."""
    if not stems(sentence) - stems(question) - _REPLY_WORDS:
        return f"{question} {sentence}".strip()
    return sentence


def _scores(claims: list[str], passages: dict[int, str], sources: list[Retrieved], embedder) -> list[dict[int, float]]:
    """For each claim, each source number's support score: lexical alone, or its mean with the best cosine."""
    lexical = [{n: support(c, p) for n, p in passages.items()} for c in claims]
    if embedder is None or not claims:
        return lexical
    units = [split_sentences(s.chunk.text) + [s.chunk.title] for s in sources]
    flat = [u for group in units for u in group]
    unit_vectors, claim_vectors = embed_cached(embedder, flat, also=claims)  # one embed call at most
    similarity = claim_vectors @ unit_vectors.T
    bounds = np.cumsum([0] + [len(group) for group in units])
    return [
        {n: (lexical[i][n] + max(float(similarity[i, bounds[n - 1] : bounds[n]].max()), 0.0)) / 2 for n in lexical[i]}
        for i in range(len(claims))
    ]


_VECTORS: dict[tuple[int, str], np.ndarray] = {}  # (embedder id, passage sentence) -> its unit vector
_VECTORS_MAX = 20_000  # about 30 MB of MiniLM vectors
_embedders: dict[int, object] = {}  # keeps each embedder alive, so its id is never reused for another
_vectors_lock = threading.Lock()


def embed_cached(embedder, texts: list[str], also: list[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors for ``texts``, remembered across calls, and for ``also``, not remembered.

    The same passages come back question after question, and embedding their sentences is
    most of verification's cost; all that is missing is embedded in one call.
    """
    key = id(embedder)
    with _vectors_lock:
        known = {t: _VECTORS[(key, t)] for t in texts if (key, t) in _VECTORS}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    fresh = embedder.embed(list(also) + missing) if (also or missing) else np.zeros((0, 0), np.float32)
    known.update(zip(missing, fresh[len(also):]))
    with _vectors_lock:
        _embedders[key] = embedder
        _VECTORS.update(((key, t), known[t]) for t in missing)
        while len(_VECTORS) > _VECTORS_MAX:
            del _VECTORS[next(iter(_VECTORS))]  # the oldest first
    return np.stack([known[t] for t in texts]), fresh[: len(also)]


def _without_markers(sentence: str) -> str:
    # Not text.strip_markers, which also drops the space before a mid-sentence marker: answers would change.
    return re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", sentence)).strip()


def _attach(sentence: str, markers: str) -> str:
    if not markers:
        return sentence
    if sentence and sentence[-1] in ".!?":
        return f"{sentence[:-1]} {markers}{sentence[-1]}"
    return f"{sentence} {markers}"


def citation_for(number: int, source: Retrieved, claim: str) -> Citation:
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
