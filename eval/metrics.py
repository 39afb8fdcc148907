"""Retrieval metrics, file level and chunk level, each for one question (average them yourself)."""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")


def ranked_files(files: list[str]) -> list[str]:
    """File ids in order of first appearance: a file's rank is that of its best chunk."""
    return list(dict.fromkeys(files))


def file_hit_at(files: list[str], gold: list[str], k: int) -> float:
    """1 when any gold file is among the first ``k`` distinct files."""
    return float(bool(set(ranked_files(files)[:k]) & set(gold))) if gold else 0.0


def file_all_gold_at(files: list[str], gold: list[str], k: int) -> float:
    """1 when every gold file is among the first ``k`` distinct files."""
    return float(set(gold) <= set(ranked_files(files)[:k])) if gold else 0.0


def file_mrr_at(files: list[str], gold: list[str], k: int = 10) -> float:
    """Reciprocal rank of the first gold file among the first ``k`` distinct files."""
    for rank, file in enumerate(ranked_files(files)[:k], start=1):
        if file in gold:
            return 1.0 / rank
    return 0.0


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)


def chunk_hits(chunks: list[str], facts: list[str]) -> list[bool]:
    """For each retrieved chunk, whether it contains a gold fact (whitespace removed), as MultiHop-RAG counts."""
    squeezed_facts = [_squeeze(f) for f in facts if f.strip()]
    return [any(f in _squeeze(chunk) for f in squeezed_facts) for chunk in chunks]


def chunk_hit_at(chunks: list[str], facts: list[str], k: int) -> float:
    """MultiHop-RAG's Hits@k: 1 when any of the first ``k`` chunks contains a gold fact."""
    return float(any(chunk_hits(chunks[:k], facts)))


def chunk_mrr_at(chunks: list[str], facts: list[str], k: int = 10) -> float:
    """MultiHop-RAG's MRR@k: reciprocal rank of the first chunk containing a gold fact."""
    for rank, hit in enumerate(chunk_hits(chunks[:k], facts), start=1):
        if hit:
            return 1.0 / rank
    return 0.0
