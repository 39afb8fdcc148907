"""Hybrid retrieval: dense (Chroma) and keyword (BM25) candidates, fused by weighted scores.

News questions are full of names that embeddings blur and BM25 matches exactly,
so the keyword side carries the larger weight (see bench/retrieval.py for the
measurement behind the defaults).
"""

from __future__ import annotations

from dataclasses import dataclass

from .chunking import Chunk
from .settings import Settings
from .store import Index


@dataclass(frozen=True)
class Retrieved:
    """One ranked chunk: the passage, its fused score, and the two scores it came from."""

    chunk: Chunk
    score: float
    dense: float | None  # cosine similarity, when the dense search found it
    lexical: float | None  # BM25 score, when the keyword search found it

    @property
    def file(self) -> str:
        return self.chunk.file

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def metadata(self) -> dict:
        return self.chunk.metadata


class HybridRetriever:
    def __init__(self, index: Index, embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def retrieve(self, question: str, k: int | None = None, mode: str = "hybrid") -> list[Retrieved]:
        """The ``k`` best chunks for ``question``, best first; ``mode`` may be hybrid, dense or lexical."""
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        dense = dict(self.index.dense_search(self.embedder.embed([question])[0], n)) if mode != "lexical" else {}
        lexical = dict(self.index.lexical_search(question, n)) if mode != "dense" else {}
        weights = {"hybrid": (self.settings.dense_weight, self.settings.lexical_weight),
                   "dense": (1.0, 0.0), "lexical": (0.0, 1.0)}[mode]
        fused = fuse(dense, lexical, *weights)
        top = sorted(fused, key=fused.get, reverse=True)[:k]
        chunks = self.index.chunks(top)
        return [
            Retrieved(chunks[cid], fused[cid], dense.get(cid), lexical.get(cid)) for cid in top if cid in chunks
        ]


def fuse(dense: dict[str, float], lexical: dict[str, float], dense_weight: float, lexical_weight: float) -> dict[str, float]:
    """Weighted sum of the two lists' scores, each first scaled so that its best is 1.

    Cosine similarities are scaled min-max over the candidates (their floor is
    arbitrary); BM25 scores are divided by the best one (their floor is zero).
    A chunk missing from a list gets 0 from it.
    """
    fused: dict[str, float] = {}
    for scores, weight, floor in ((dense, dense_weight, None), (lexical, lexical_weight, 0.0)):
        if not scores or weight == 0:
            continue
        top = max(scores.values())
        bottom = min(scores.values()) if floor is None else floor
        for cid, score in scores.items():
            scaled = (score - bottom) / (top - bottom) if top > bottom else 1.0
            fused[cid] = fused.get(cid, 0.0) + weight * scaled
    return fused
