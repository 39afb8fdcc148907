"""What an index holds, what built it and which LLM would answer: `newsqa status`, the page and the eval."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .chunking import chunking_id
from .embeddings import embedder_id
from .llm import llm_name
from .settings import Settings
from .store import Index


@dataclass(frozen=True)
class IndexStatus:
    index: str
    location: str  # the index's folder
    corpus: str | None  # the folder it was last ingested from; None before the first ingest
    files: int  # every file it records, one an interrupted ingest left unfinished too
    articles: int  # files fully ingested
    chunks: int
    vectors: int
    last_ingested: str | None  # ISO 8601, UTC
    built_with: dict | None  # the embedder and chunking its chunks were made with
    embedder: str  # what these settings embed questions with
    chunking: str
    backend: str
    llm: str  # which LLM answers with these settings; nothing is loaded to say so
    titles: dict[str, str]  # each ingested file's title, by path

    def to_dict(self) -> dict:
        return asdict(self)


def status(settings: Settings | None = None, index: Index | None = None) -> IndexStatus:
    """The status of the index ``settings`` names; ``index``, when given, is that index already open."""
    settings = settings or Settings.load()
    opened = index is None
    index = Index(settings) if opened else index
    try:
        files = index.files()
        done = {path: f for path, f in sorted(files.items()) if f.state == "done"}
        return IndexStatus(
            index=settings.index, location=str(settings.index_dir), corpus=index.meta("corpus"), files=len(files),
            articles=len(done), chunks=index.chunk_count(), vectors=index.vector_count(),
            last_ingested=index.meta("last_ingested"), built_with=index.build_signature(),
            embedder=embedder_id(settings), chunking=chunking_id(settings.chunk_size, settings.chunk_overlap),
            backend=settings.resolved_backend, llm=llm_name(settings), titles={p: f.title for p, f in done.items()},
        )
    finally:
        if opened:
            index.close()
