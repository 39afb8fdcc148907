"""Split articles into token-sized passages that remember where they came from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from .corpus import Article


@dataclass(frozen=True)
class Chunk:
    id: str
    file: str
    position: int  # 0-based order within the article
    text: str
    start: int  # character offsets of ``text`` in the article body; -1 if not located
    end: int
    title: str
    source: str
    published: str
    url: str

    @property
    def metadata(self) -> dict:
        return {
            "file": self.file,
            "position": self.position,
            "start": self.start,
            "end": self.end,
            "title": self.title,
            "source": self.source,
            "published": self.published,
            "url": self.url,
        }

    def indexed_text(self) -> str:
        """What is embedded: the passage under its headline and publisher, which questions name."""
        head = " | ".join(part for part in (self.title, self.source) if part)
        return f"{head}\n{self.text}" if head else self.text


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, chunk_overlap: int):
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)


def chunk_article(article: Article, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """The article's passages in order, each with its offsets in ``article.text``."""
    pieces = _splitter(chunk_size, chunk_overlap).split_text(article.text)
    # Identical articles under two names must not share chunk ids.
    prefix = hashlib.sha256(f"{article.path}\0{article.sha256}".encode()).hexdigest()[:20]
    chunks = []
    cursor = 0
    for position, piece in enumerate(pieces):
        start = article.text.find(piece, cursor)
        if start < 0:
            start = article.text.find(piece)
        end = start + len(piece) if start >= 0 else -1
        if start >= 0:
            # Overlapping chunks start before the previous one ends, so only move past its start.
            cursor = start + 1
        chunks.append(
            Chunk(
                id=f"{prefix}:{position}",
                file=article.path,
                position=position,
                text=piece,
                start=start,
                end=end,
                title=article.title,
                source=article.source,
                published=article.published,
                url=article.url,
            )
        )
    return chunks


def chunking_id(chunk_size: int, chunk_overlap: int) -> str:
    """Names the chunking so an index can tell when it was built another way."""
    return f"sentence-cl100k-{chunk_size}-{chunk_overlap}"
