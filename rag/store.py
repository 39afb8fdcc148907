"""The index: vectors in Chroma, and beside them a SQLite file holding the file manifest,
the chunks with a full-text (BM25) index over them, and what built the index.

Writes go in an order that survives being killed at any point: a file is marked
``pending`` before its vectors change and marked ``done`` in the same SQLite
transaction that stores its chunks. :meth:`Index.recover` clears what a killed
run left half-written, :meth:`Index.files_lacking_vectors` finds what the vector store
lost, and :func:`ingest_lock` lets one ingest write at a time. A SQLite file that is
not a database raises :class:`IndexDamagedError`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .chunking import Chunk
from .errors import ConfigError, IndexDamagedError, IndexMismatchError, StoreUnavailableError
from .settings import Settings
from .text import query_terms, words

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    chunks INTEGER NOT NULL, state TEXT NOT NULL, title TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, file TEXT NOT NULL, position INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL,
    published TEXT NOT NULL, url TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_file ON chunks(file);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, source, text, content='chunks', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, title, source, text) VALUES (new.rowid, new.title, new.source, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, title, source, text)
    VALUES ('delete', old.rowid, old.title, old.source, old.text);
END;
"""


@dataclass(frozen=True)
class FileRecord:
    path: str
    sha256: str
    size: int
    mtime_ns: int
    chunks: int
    state: str
    title: str


class Index:
    """One named index: a Chroma collection plus its SQLite manifest and keyword index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.index_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.db = _open_database(self.dir / "index.sqlite")
        self._readers = threading.local()  # a connection per thread: the UI answers from several
        self._every_reader: list[sqlite3.Connection] = []
        self._client = _chroma_client(settings, self.dir)
        self._collection_name = f"newsqa-{settings.index}"
        self.collection = self._open_collection()
        # An embedded Chroma keeps its vector index in memory and never sees another process's writes;
        # SQLite's data_version tells when the manifest changed under us, and a reopened client reloads.
        self._watch = sqlite3.connect(self.dir / "index.sqlite", timeout=30, check_same_thread=False)
        self._vectors_lock = threading.RLock()  # every Chroma call: a reload closes the client under it
        self._seen_version = self._data_version()

    def _read(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        reader = getattr(self._readers, "db", None)
        if reader is None:
            # Used by its own thread only; check_same_thread=False lets close() shut it from another.
            reader = sqlite3.connect(self.dir / "index.sqlite", timeout=30, check_same_thread=False)
            self._readers.db = reader
            with self._vectors_lock:
                self._every_reader.append(reader)
        try:
            return reader.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # locked or busy, not damaged
            raise
        except sqlite3.DatabaseError as error:
            raise _damaged(self.dir / "index.sqlite", error) from error

    # -- what built it -------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, **values: str) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                list(values.items()),
            )

    def build_signature(self) -> dict | None:
        raw = self.meta("signature")
        return json.loads(raw) if raw else None

    def check_signature(self, wanted: dict) -> None:
        """Raises IndexMismatchError when the index was built with another embedder or chunking."""
        built = self.build_signature()
        if built is not None and built != wanted and self.chunk_count() > 0:
            raise IndexMismatchError(
                f"Index {self.settings.index!r} was built with {_describe(built)}, but these settings ask for "
                f"{_describe(wanted)}. Run `newsqa ingest` to rebuild it with the new settings, "
                "or go back to the old ones."
            )

    def reset(self) -> None:
        """Empties the index: every vector, chunk and file record."""
        with self._vectors_lock:
            try:
                self._client.delete_collection(self._collection_name)
            except Exception:  # noqa: BLE001 - already gone is fine; Chroma's error types vary by version
                pass
            self.collection = self._open_collection()
        with self.db:
            self.db.execute("DELETE FROM chunks")
            self.db.execute("DELETE FROM files")
            self.db.execute("DELETE FROM meta WHERE key='signature'")

    # -- the manifest --------------------------------------------------------------------

    def files(self) -> dict[str, FileRecord]:
        rows = self._read("SELECT path, sha256, size, mtime_ns, chunks, state, title FROM files")
        return {row[0]: FileRecord(*row) for row in rows}

    def touch(self, path: str, size: int, mtime_ns: int) -> None:
        """Records a new mtime for a file whose content did not change."""
        with self.db:
            self.db.execute("UPDATE files SET size=?, mtime_ns=? WHERE path=?", (size, mtime_ns, path))

    def recover(self) -> list[str]:
        """Removes what an interrupted run left half-written; returns those files' paths."""
        pending = [row[0] for row in self.db.execute("SELECT path FROM files WHERE state='pending'")]
        if pending:
            self._delete_vectors(pending)
            with self.db:
                self._delete_rows(pending)
        return pending

    def write(self, batch: list[tuple[FileRecord, list[Chunk]]], vectors: np.ndarray, replace: list[str]) -> None:
        """Stores these files' chunks and vectors, replacing whatever ``replace`` names."""
        paths = [record.path for record, _ in batch]
        marked = sorted(set(paths) | set(replace))
        self._mark_pending(marked)
        if replace:
            self._delete_vectors(replace)
        chunks = [chunk for _, file_chunks in batch for chunk in file_chunks]
        self._upsert_vectors(chunks, vectors)
        with self.db:
            self._delete_rows(marked)
            self.db.executemany(
                "INSERT INTO chunks(id, file, position, start, end, title, source, published, url, text)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (c.id, c.file, c.position, c.start, c.end, c.title, c.source, c.published, c.url, c.text)
                    for c in chunks
                ],
            )
            self.db.executemany(
                "INSERT INTO files(path, sha256, size, mtime_ns, chunks, state, title) VALUES (?,?,?,?,?,'done',?)",
                [(r.path, r.sha256, r.size, r.mtime_ns, len(c), r.title) for r, c in batch],
            )

    def remove(self, paths: list[str]) -> None:
        """Drops these files and all their chunks."""
        if not paths:
            return
        self._mark_pending(paths)
        self._delete_vectors(paths)
        with self.db:
            self._delete_rows(paths)

    def _mark_pending(self, paths: list[str]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO files(path, sha256, size, mtime_ns, chunks, state) VALUES (?, '', 0, 0, 0, 'pending')"
                " ON CONFLICT(path) DO UPDATE SET state='pending'",
                [(p,) for p in paths],
            )

    def _delete_rows(self, paths: list[str]) -> None:
        self.db.executemany("DELETE FROM chunks WHERE file=?", [(p,) for p in paths])
        self.db.executemany("DELETE FROM files WHERE path=?", [(p,) for p in paths])

    # -- vectors -------------------------------------------------------------------------

    def _open_collection(self):
        # No embedding function: Chroma's default one downloads a model. We always pass vectors.
        return self._client.get_or_create_collection(
            self._collection_name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def _upsert_vectors(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        with self._vectors_lock:
            step = max(1, min(self._client.get_max_batch_size(), 4096))
            for begin in range(0, len(chunks), step):
                part = chunks[begin : begin + step]
                self.collection.upsert(
                    ids=[c.id for c in part],
                    embeddings=vectors[begin : begin + step],
                    documents=[c.text for c in part],
                    metadatas=[c.metadata for c in part],
                )

    def _delete_vectors(self, paths: list[str]) -> None:
        with self._vectors_lock:
            for begin in range(0, len(paths), 500):
                self.collection.delete(where={"file": {"$in": paths[begin : begin + 500]}})

    # -- search --------------------------------------------------------------------------

    def dense_search(self, vector: np.ndarray, n: int, sources: tuple[str, ...] = (),
                     files: tuple[str, ...] = ()) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest chunks, best first; only from ``sources``
        (publishers) or ``files`` when given."""
        where = _where("source", sources) or _where("file", files)
        with self._current() as collection:
            result = collection.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def lexical_search(self, text: str, n: int, sources: tuple[str, ...] = (),
                       files: tuple[str, ...] = ()) -> list[tuple[str, float]]:
        """(chunk id, BM25 score, higher is better) of the ``n`` best keyword matches; only from ``sources``
        (publishers) or ``files`` when given."""
        terms = query_terms(text)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        column, values = ("source", sources) if sources else ("file", files)
        only = f" AND chunks.{column} IN ({','.join('?' * len(values))})" if values else ""
        rows = self._read(
            "SELECT chunks.id, -bm25(chunks_fts, 2.0, 2.0, 1.0) FROM chunks_fts"
            " JOIN chunks ON chunks.rowid = chunks_fts.rowid"
            f" WHERE chunks_fts MATCH ?{only} ORDER BY bm25(chunks_fts, 2.0, 2.0, 1.0) LIMIT ?",
            (match, *values, n),
        )
        return [(cid, float(score)) for cid, score in rows]

    def mentions(self, phrase: str) -> bool:
        """Whether any chunk contains ``phrase``, word for word (stemmed, as the keyword index is)."""
        phrase_words = words(phrase)
        if not phrase_words:
            return True
        quoted = '"' + " ".join(phrase_words) + '"'
        return bool(self._read("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1", (quoted,)))

    def profile(self) -> dict:
        """The corpus's publishers (articles each), publication years (articles each), most first, and its
        article count.

        Cached until the index changes: the query reads every chunk row.
        """
        version = self._read("SELECT max(rowid), count(*) FROM files")[0]
        cached = getattr(self, "_profile", None)
        if cached and cached[0] == version:
            return cached[1]
        sources = self._read(
            "SELECT source, count(DISTINCT file) AS n FROM chunks WHERE source != '' GROUP BY source ORDER BY n DESC")
        years = self._read(
            "SELECT substr(published, 1, 4) AS y, count(DISTINCT file) AS n FROM chunks"
            " WHERE published GLOB '[12][0-9][0-9][0-9]*' GROUP BY y ORDER BY n DESC")
        articles = self._read("SELECT count(*) FROM files")[0][0]
        profile = {"sources": dict(sources), "years": {int(y): n for y, n in years}, "articles": articles}
        self._profile = (version, profile)
        return profile

    def chunks(self, ids: list[str]) -> dict[str, Chunk]:
        found: dict[str, Chunk] = {}
        for begin in range(0, len(ids), 500):
            part = ids[begin : begin + 500]
            rows = self._read(
                "SELECT id, file, position, text, start, end, title, source, published, url FROM chunks"
                f" WHERE id IN ({','.join('?' * len(part))})",
                part,
            )
            for row in rows:
                found[row[0]] = Chunk(*row)
        return found

    def chunk_count(self) -> int:
        return self._read("SELECT count(*) FROM chunks")[0][0]

    def vector_count(self) -> int:
        with self._current() as collection:
            return collection.count()

    def files_lacking_vectors(self) -> tuple[list[str], int]:
        """The files some of whose chunks the vector store lacks (its folder deleted, a server that lost
        them), and how many chunks it lacks; vectors of chunks SQLite does not hold are dropped.

        Counts decide whether to look: comparing every id costs a read of the whole collection.
        """
        if self.vector_count() == self.chunk_count():
            return [], 0
        with self._current() as collection:
            stored = self._vector_ids(collection)
            chunks = self._read("SELECT id, file FROM chunks")
            orphans = sorted(stored - {cid for cid, _ in chunks})
            for begin in range(0, len(orphans), 500):
                collection.delete(ids=orphans[begin : begin + 500])
        lacking = [file for cid, file in chunks if cid not in stored]
        return sorted(set(lacking)), len(lacking)

    @staticmethod
    def _vector_ids(collection, page: int = 5000) -> set[str]:
        ids: set[str] = set()
        while True:
            got = collection.get(include=[], limit=page, offset=len(ids))["ids"]
            ids.update(got)
            if len(got) < page:
                return ids

    def _data_version(self) -> int:
        try:
            return self._watch.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise _damaged(self.dir / "index.sqlite", error) from error

    @contextmanager
    def _current(self):
        """The collection, reloaded first when another process changed the index; held until the block ends."""
        with self._vectors_lock:
            version = self._data_version()
            if version != self._seen_version:
                self._seen_version = version
                if not self.settings.chroma_url:  # a server serves every client the same vectors
                    self._client.close()
                    self._client = _chroma_client(self.settings, self.dir)
                    self.collection = self._open_collection()
            yield self.collection

    def close(self) -> None:
        with self._vectors_lock:
            self._client.close()
            readers, self._every_reader = self._every_reader, []
        self._watch.close()
        self.db.close()
        for reader in readers:
            reader.close()
        self._readers = threading.local()


def _open_database(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
    except sqlite3.OperationalError:
        db.close()
        raise
    except sqlite3.DatabaseError as error:
        db.close()
        raise _damaged(path, error) from error
    return db


def _damaged(path: Path, error: sqlite3.DatabaseError) -> IndexDamagedError:
    return IndexDamagedError(
        f"the index at {path} is damaged ({error}): run `newsqa ingest FOLDER --rebuild` to build it again "
        "from the articles"
    )


def set_aside(path: Path) -> Path:
    """Moves a damaged database, with its write-ahead log, out of the way; returns where it went."""
    from datetime import datetime

    aside = path.with_name(f"{path.name}.damaged-{datetime.now():%Y%m%dT%H%M%S}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    return aside


@contextmanager
def ingest_lock(index_dir: Path, name: str):
    """Lets one ingest at a time write to the index; a second one says why it waits, then waits.

    The lock is the kernel's (flock), so a killed ingest never leaves it held.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; one ingest at a time is then up to the user
        yield
        return
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "ingest.lock", "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            print(f"newsqa: another ingest (process {holder or 'unknown'}) is updating index {name!r}; "
                  "waiting for it to finish.", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _where(key: str, values: tuple[str, ...]) -> dict | None:
    if not values:
        return None
    return {key: values[0]} if len(values) == 1 else {key: {"$in": list(values)}}


def _describe(signature: dict) -> str:
    return f"embedder {signature.get('embedder')} and chunking {signature.get('chunking')}"


def _chroma_client(settings: Settings, local_dir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"NEWSQA_CHROMA_URL must look like http://host:port, not {settings.chroma_url!r}.")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except ValueError:  # how chromadb reports a server it cannot reach
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {settings.chroma_url}; start it with `chroma run` "
                "or unset NEWSQA_CHROMA_URL to use the local index."
            ) from None
    return chromadb.PersistentClient(path=str(local_dir / "chroma"), settings=chroma_settings)
