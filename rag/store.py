"""The index as an app server reads it: Chroma, the source of truth (rag/chroma_index.py), and beside it a
local SQLite cache derived from Chroma: the file manifest, the chunk texts and a full-text (BM25) index
over them.

Any process brings its cache up to date with :meth:`Index.sync`: it fetches the files that generations
newer than its own wrote. Searches check for a newer generation every few seconds, and at once when
another process wrote the shared cache; a dense hit the cache still lacks is fetched, never dropped.

Writes go in an order that survives being killed at any point: a file is marked ``pending`` before its
vectors change and ``done`` once they are all written, then the batch's generation is published.
:meth:`Index.recover` clears what a killed run left half-written, :meth:`Index.files_lacking_vectors`
finds what the vector store lost, and :meth:`Index.writing` lets one writer in at a time, wherever it runs
(a lease in Chroma). A damaged cache is set aside and built again from Chroma.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .chroma_index import ChromaIndex, FileRecord
from .chunking import Chunk
from .errors import IndexDamagedError, IndexMismatchError
from .settings import Settings
from .text import query_terms, words

__all__ = ["FileRecord", "Index", "ingest_lock", "set_aside"]

CHECK_EVERY_S = 2.0  # how stale a server-mode cache may be before a search looks for newer writes
SYNC_CHUNKS = 2000  # chunks fetched and cached per transaction
MIRRORED = ("signature", "corpus", "last_ingested")  # Chroma's index metadata, copied into the cache

TOKENIZER = "porter unicode61 remove_diacritics 2"
POSTINGS_BUDGET = 100_000  # keyword matches one search may score before its commonest words are left out
PRUNED_POSTINGS = 20_000  # what such a search is cut down to: its rarest words, up to this many matches
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    chunks INTEGER NOT NULL, state TEXT NOT NULL, title TEXT NOT NULL DEFAULT '', prefix TEXT NOT NULL DEFAULT '',
    generation INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, file TEXT NOT NULL, position INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL,
    published TEXT NOT NULL, url TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_file ON chunks(file);
CREATE INDEX IF NOT EXISTS articles ON chunks(source, published) WHERE position = 0;
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, source, text, content='chunks', content_rowid='rowid',
    tokenize='{tokenizer}');
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, title, source, text) VALUES (new.rowid, new.title, new.source, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, title, source, text)
    VALUES ('delete', old.rowid, old.title, old.source, old.text);
END;
""".format(tokenizer=TOKENIZER)
FILE_COLUMNS = "path, sha256, size, mtime_ns, chunks, state, title, prefix, generation"
CHUNK_COLUMNS = "id, file, position, text, start, end, title, source, published, url"


class Index:
    """One named index: its Chroma collections, and the local cache that keyword search and texts come from."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.index_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cache_path = self.dir / "index.sqlite"
        self.cache_rebuilt: str | None = None  # why the cache was set aside, when it was
        self.store_lost: tuple[int, int] | None = None  # (files, chunks) the cache held of a store now empty
        self.fetched = 0  # chunks synced from Chroma since this index was opened
        try:
            self.db = _open_database(self.cache_path)
        except IndexDamagedError as damage:
            aside = set_aside(self.cache_path)
            self.cache_rebuilt = f"its cache was damaged ({damage.__cause__}); kept as {aside.name}, rebuilt from Chroma"
            print(f"newsqa: index {settings.index!r}: {self.cache_rebuilt}", file=sys.stderr)
            self.db = _open_database(self.cache_path)
        self._readers = threading.local()  # a connection per thread: the UI answers from several
        self._every_reader: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        try:
            self.chroma = ChromaIndex(settings, self.dir)
        except BaseException:
            self.db.close()
            raise
        self._sync_lock = threading.RLock()
        # The cache's data_version changes when another process commits to it: then look for new writes at once.
        self._watch = sqlite3.connect(self.cache_path, timeout=30, check_same_thread=False)
        self._seen_version = self._data_version()
        self._checked = 0.0
        self._vectors_generation: int | None = None  # what this process's embedded Chroma has loaded
        self._writing_generation: int | None = None  # the generation the lease holder writes next
        self._adopt_older_cache()
        try:
            self.sync()  # opened is ready: a fresh app server first reads what Chroma holds
        except BaseException:
            self.close()
            raise

    @property
    def collection(self):
        """The chunks' Chroma collection."""
        return self.chroma.chunks

    def _reader(self) -> sqlite3.Connection:
        reader = getattr(self._readers, "db", None)
        if reader is None:
            # Used by its own thread only; check_same_thread=False lets close() shut it from another.
            reader = sqlite3.connect(self.cache_path, timeout=30, check_same_thread=False)
            # Tokenizes a question's words as the keyword index does, to look up how many chunks hold each.
            reader.execute(f"CREATE VIRTUAL TABLE temp.asked USING fts5(text, tokenize='{TOKENIZER}')")
            reader.execute("CREATE VIRTUAL TABLE temp.asked_tokens USING fts5vocab(temp, asked, 'instance')")
            reader.execute("CREATE VIRTUAL TABLE temp.indexed_terms USING fts5vocab(main, chunks_fts, 'row')")
            self._readers.db = reader
            with self._readers_lock:
                self._every_reader.append(reader)
        return reader

    def _read(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        reader = self._reader()
        try:
            return reader.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # locked or busy, not damaged
            raise
        except sqlite3.DatabaseError as error:
            raise _damaged(self.cache_path, error) from error

    # -- what built it -------------------------------------------------------------------

    def meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, **values: str) -> None:
        self.chroma.set_meta(**values)
        self._cache_meta(values)

    def _cache_meta(self, values: dict) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                [(key, str(value)) for key, value in values.items()],
            )

    def build_signature(self) -> dict | None:
        raw = self.meta("signature")
        return json.loads(raw) if raw else None

    def check_signature(self, wanted: dict) -> None:
        """Raises IndexMismatchError when the index was built with another embedder or chunking."""
        built = self.build_signature()
        if built is not None and built != wanted and not self.is_empty():
            raise IndexMismatchError(
                f"Index {self.settings.index!r} was built with {_describe(built)}, but these settings ask for "
                f"{_describe(wanted)}. Run `newsqa ingest` to rebuild it with the new settings, "
                "or go back to the old ones."
            )

    # -- keeping the cache in step with Chroma ---------------------------------------------

    def sync(self) -> int:
        """Brings the cache up to date with what Chroma has published; returns how many chunks it fetched."""
        with self._sync_lock:
            meta = self.chroma.meta()
            published = int(meta.get("generation", 0))
            synced = int(self.meta("synced_generation", "-1"))
            if self.meta("store") != self.chroma.identity:
                held = self._read("SELECT count(DISTINCT file), count(*) FROM chunks")[0]
                if held[1] and not self.chroma.vector_count():
                    self.store_lost = held  # (files, chunks) the cache knew that the vector store no longer has
                with self.db:  # another store, or the same one made anew: start over
                    self.db.execute("DELETE FROM chunks")
                    self.db.execute("DELETE FROM files")
                synced = -1
            fetched = 0
            if published != synced:
                fetched = self._fetch(self.chroma.file_records(after=synced, upto=published))
                self.fetched += fetched
            mirrored = {key: meta[key] for key in MIRRORED if key in meta}
            self._cache_meta({**mirrored, "synced_generation": published, "store": self.chroma.identity})
            self._seen_version = self._data_version()  # our own commits are not news
            if not self.settings.chroma_url and self._vectors_generation not in (None, published):
                self.chroma.reopen()  # another process wrote vectors this client has not loaded
            self._vectors_generation = published
            self._checked = time.monotonic()
            return fetched

    def refresh(self) -> None:
        """Syncs when another process wrote the shared cache, or every CHECK_EVERY_S seconds."""
        version = self._data_version()
        if version != self._seen_version or time.monotonic() - self._checked >= CHECK_EVERY_S:
            self.sync()

    def _fetch(self, records: list[FileRecord]) -> int:
        """Caches these records and their chunks, a batch at a time; Chroma reads the next batch (on the
        server's core) while this process stores the last."""
        from concurrent.futures import ThreadPoolExecutor

        batches = _batches(records, SYNC_CHUNKS)
        fetched = 0
        with ThreadPoolExecutor(1, thread_name_prefix="newsqa-sync") as reader:
            upcoming = [reader.submit(self._chunks_of, batch) for batch in batches[:1]]
            for n, batch in enumerate(batches):
                chunks = upcoming.pop().result()
                if n + 1 < len(batches):
                    upcoming.append(reader.submit(self._chunks_of, batches[n + 1]))
                with self.db:
                    self._delete_rows([r.path for r in batch])
                    self._insert_chunks(chunks)
                    self.db.executemany(
                        f"INSERT INTO files({FILE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                        [dataclasses.astuple(r) for r in batch if r.state != "removed"],
                    )
                fetched += len(chunks)
        return fetched

    def _chunks_of(self, records: list[FileRecord]) -> list[Chunk]:
        return self.chroma.get_chunks([cid for r in records if r.state == "done" for cid in r.chunk_ids()])

    def _insert_chunks(self, chunks: list[Chunk]) -> None:
        self.db.executemany(
            f"INSERT INTO chunks({CHUNK_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(c.id, c.file, c.position, c.text, c.start, c.end, c.title, c.source, c.published, c.url)
             for c in chunks],
        )

    def _adopt_older_cache(self) -> None:
        """An index built before Chroma held the manifest: the cache's manifest moves into Chroma once."""
        if self.meta("store") or not self._read("SELECT 1 FROM files LIMIT 1") or self.chroma.generation():
            return
        first_ids = dict(self.db.execute("SELECT file, id FROM chunks WHERE position=0"))
        records = [
            FileRecord(path, sha, size, mtime, chunks, state, title, first_ids.get(path, ":").rsplit(":", 1)[0], 1)
            for path, sha, size, mtime, chunks, state, title in
            self.db.execute("SELECT path, sha256, size, mtime_ns, chunks, state, title FROM files")
        ]
        kept = dict(self.db.execute(f"SELECT key, value FROM meta WHERE key IN {MIRRORED}"))
        self.chroma.put_files(records)
        with self.db:
            self.db.executemany("UPDATE files SET prefix=?, generation=1 WHERE path=?",
                                [(record.prefix, record.path) for record in records])
        self.chroma.set_meta(**kept, generation=1)
        self._cache_meta({"synced_generation": 1, "store": self.chroma.identity})

    # -- writing, one writer at a time ----------------------------------------------------

    @contextmanager
    def writing(self):
        """Holds the index's write lease (in Chroma, so across machines) with the cache in step."""
        with self.chroma.lease():
            self.sync()
            self._writing_generation = self.chroma.generation() + 1
            try:
                yield self
            finally:
                self._writing_generation = None

    def _generation(self) -> int:
        if self._writing_generation is None:
            raise RuntimeError("Index writes happen inside `with index.writing():`")
        return self._writing_generation

    def _publish(self, written: list[tuple[FileRecord, list[Chunk] | None]] = ()) -> None:
        """Publishes the batch; the writer's cache takes ``written`` as it is rather than fetching it back
        (chunks None: the file's chunks are unchanged, only its record is new)."""
        generation = self._generation()
        self.chroma.publish(generation)
        self._writing_generation = generation + 1
        if self._vectors_generation == generation - 1:
            self._vectors_generation = generation  # this client wrote those vectors itself
        with self._sync_lock:
            if not written or self.meta("synced_generation") != str(generation - 1):
                self.sync()
                return
            with self.db:
                self._delete_rows([record.path for record, chunks in written if chunks is not None])
                self.db.executemany("DELETE FROM files WHERE path=?", [(record.path,) for record, _ in written])
                self._insert_chunks([chunk for _, chunks in written for chunk in chunks or ()])
                self.db.executemany(f"INSERT INTO files({FILE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                                    [dataclasses.astuple(record) for record, _ in written])
                self.db.execute("UPDATE meta SET value=? WHERE key='synced_generation'", (str(generation),))
            self._seen_version = self._data_version()

    def reset(self) -> None:
        """Empties the index: every vector, chunk and file record."""
        self.chroma.drop()
        with self.db:
            self.db.execute("DELETE FROM chunks")
            self.db.execute("DELETE FROM files")
            self.db.execute("DELETE FROM meta WHERE key IN ('signature', 'store', 'synced_generation')")
        self._vectors_generation = None
        self.sync()
        if self._writing_generation is not None:
            self._writing_generation = 1

    # -- the manifest --------------------------------------------------------------------

    def files(self) -> dict[str, FileRecord]:
        rows = self._read(f"SELECT {FILE_COLUMNS} FROM files")
        return {row[0]: FileRecord(*row) for row in rows}

    def touch(self, changed: list[tuple[str, int, int]]) -> None:
        """Records new sizes and mtimes, (path, size, mtime_ns), for files whose content did not change."""
        if not changed:
            return
        known = self.files()
        records = [dataclasses.replace(known[path], size=size, mtime_ns=mtime_ns, generation=self._generation())
                   for path, size, mtime_ns in changed]
        self.chroma.put_files(records)
        self._publish([(record, None) for record in records])

    def recover(self) -> list[str]:
        """Removes what an interrupted run left half-written; returns those files' paths."""
        pending = [record.path for record in self.chroma.file_records(state="pending")]
        if pending:
            self.chroma.delete_chunks_of(pending)
            self.chroma.put_files([_removed(path, self._generation()) for path in pending])
            self._publish()
        return sorted(pending)

    def write(self, batch: list[tuple[FileRecord, list[Chunk]]], vectors: np.ndarray, replace: list[str]) -> None:
        """Stores these files' chunks and vectors, replacing whatever ``replace`` names."""
        generation = self._generation()
        paths = [record.path for record, _ in batch]
        self._mark_pending(sorted(set(paths) | set(replace)))
        if replace:
            self.chroma.delete_chunks_of(replace)
        chunks = [chunk for _, file_chunks in batch for chunk in file_chunks]
        self._upsert_vectors(chunks, vectors)
        written = [
            (dataclasses.replace(record, chunks=len(file_chunks), state="done", generation=generation,
                                 prefix=file_chunks[0].id.rsplit(":", 1)[0] if file_chunks else ""), file_chunks)
            for record, file_chunks in batch
        ]
        self.chroma.put_files([record for record, _ in written])
        self._publish(written)

    def remove(self, paths: list[str]) -> None:
        """Drops these files and all their chunks."""
        if not paths:
            return
        self._mark_pending(paths)
        self.chroma.delete_chunks_of(paths)
        self.chroma.put_files([_removed(path, self._generation()) for path in paths])
        self._publish()

    def _mark_pending(self, paths: list[str]) -> None:
        generation = self._generation()
        self.chroma.check_lease()  # before the batch writes anything, not only when it publishes
        self.chroma.put_files([FileRecord(path, "", 0, 0, 0, "pending", "", "", generation) for path in paths])

    def _upsert_vectors(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self.chroma.put_chunks(chunks, vectors, self._generation())

    def _delete_rows(self, paths: list[str]) -> None:
        self.db.executemany("DELETE FROM chunks WHERE file=?", [(p,) for p in paths])
        self.db.executemany("DELETE FROM files WHERE path=?", [(p,) for p in paths])

    # -- search --------------------------------------------------------------------------

    def dense_search(self, vector: np.ndarray, n: int, sources: tuple[str, ...] = (),
                     files: tuple[str, ...] = ()) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest chunks, best first; only from ``sources``
        (publishers) or ``files`` when given."""
        self.refresh()
        return self.chroma.query(vector, n, _where("source", sources) or _where("file", files))

    def lexical_search(self, text: str, n: int, sources: tuple[str, ...] = (),
                       files: tuple[str, ...] = ()) -> list[tuple[str, float]]:
        """(chunk id, BM25 score, higher is better) of the ``n`` best keyword matches; only from ``sources``
        (publishers) or ``files`` when given."""
        self.refresh()
        terms = self._affordable(query_terms(text))
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

    def _affordable(self, terms: list[str]) -> list[str]:
        """The words worth searching: BM25 scores every chunk holding any of them, and at a million chunks a
        question's common words match most. A search that would score over POSTINGS_BUDGET chunks keeps its
        rarest words, which weigh most in BM25, up to PRUNED_POSTINGS matches (the rarest always stays).
        A small corpus never reaches the budget."""
        counts = self._document_counts(terms)
        if sum(counts.values()) <= POSTINGS_BUDGET:
            return terms
        kept, matches = [], 0
        for term in sorted(terms, key=counts.__getitem__):
            if kept and matches + counts[term] > PRUNED_POSTINGS:
                break
            kept.append(term)
            matches += counts[term]
        return [term for term in terms if term in kept]

    def _document_counts(self, terms: list[str]) -> dict[str, int]:
        """How many chunks hold each word, as the keyword index stems it; remembered until the cache changes."""
        known = self._known_counts()
        new = [term for term in dict.fromkeys(terms) if term not in known]
        if new:
            reader = self._reader()
            reader.execute("DELETE FROM temp.asked")
            reader.executemany("INSERT INTO temp.asked(rowid, text) VALUES (?, ?)", enumerate(new))
            tokens = reader.execute("SELECT doc, term FROM temp.asked_tokens").fetchall()
            reader.commit()
            counts = [0] * len(new)
            for row, token in tokens:
                found = reader.execute("SELECT doc FROM temp.indexed_terms WHERE term = ?", (token,)).fetchone()
                counts[row] = max(counts[row], found[0] if found else 0)
            known.update(zip(new, counts))
        return {term: known[term] for term in terms}

    def _known_counts(self) -> dict[str, int]:
        """This thread's remembered document counts, forgotten when the cache syncs a new generation."""
        version = (self.meta("store"), self.meta("synced_generation"))
        cached = getattr(self._readers, "document_counts", None)
        if cached is None or cached[0] != version:
            cached = (version, {})
            self._readers.document_counts = cached
        return cached[1]

    def mentions(self, phrase: str) -> bool:
        """Whether any chunk contains ``phrase``, word for word (stemmed, as the keyword index is)."""
        phrase_words = words(phrase)
        if not phrase_words:
            return True
        quoted = '"' + " ".join(phrase_words) + '"'
        return bool(self._read("SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1", (quoted,)))

    def profile(self) -> dict:
        """The corpus's publishers (articles each), publication years (articles each), most first, and its
        article count; cached until the cache syncs a new generation."""
        version = (self.meta("store"), self.meta("synced_generation"))
        cached = getattr(self, "_profile", None)
        if cached and cached[0] == version:
            return cached[1]
        # Each article's first chunk stands for it (an index holds just those), so this reads one row per article.
        sources = self._read(
            "SELECT source, count(*) AS n FROM chunks WHERE position = 0 AND source != ''"
            " GROUP BY source ORDER BY n DESC")
        years = self._read(
            "SELECT substr(published, 1, 4) AS y, count(*) AS n FROM chunks"
            " WHERE position = 0 AND published GLOB '[12][0-9][0-9][0-9]*' GROUP BY y ORDER BY n DESC")
        articles = self._read("SELECT count(*) FROM files")[0][0]
        profile = {"sources": dict(sources), "years": {int(y): n for y, n in years}, "articles": articles}
        self._profile = (version, profile)
        return profile

    def chunks(self, ids: list[str]) -> dict[str, Chunk]:
        """The chunks of ``ids`` with their texts; one the cache lacks (written since the last sync) is
        synced, or fetched from Chroma, so a dense hit is never dropped."""
        found = self._cached_chunks(ids)
        missing = [cid for cid in ids if cid not in found]
        if missing:
            self.sync()
            found.update(self._cached_chunks(missing))
            missing = [cid for cid in missing if cid not in found]
        if missing:  # written but not yet published by an ingest in progress
            found.update((chunk.id, chunk) for chunk in self.chroma.get_chunks(missing))
        return found

    def _cached_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        found: dict[str, Chunk] = {}
        for begin in range(0, len(ids), 500):
            part = ids[begin : begin + 500]
            rows = self._read(f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE id IN ({','.join('?' * len(part))})", part)
            for row in rows:
                found[row[0]] = Chunk(*row)
        return found

    def chunk_count(self) -> int:
        return self._read("SELECT count(*) FROM chunks")[0][0]

    def is_empty(self) -> bool:
        """No file recorded, not even a pending one; cheaper than counting a million chunks."""
        return not self._read("SELECT 1 FROM files LIMIT 1")

    def vector_count(self) -> int:
        return self.chroma.vector_count()

    def files_lacking_vectors(self) -> tuple[list[str], int]:
        """The files some of whose chunks the vector store lacks (its folder deleted, a server that lost
        them), and how many chunks it lacks; vectors of chunks no file record names are dropped.

        Counts decide whether to look: comparing every id costs a read of the whole collection.
        """
        records = [r for r in self.files().values() if r.state == "done"]
        if self.vector_count() == sum(r.chunks for r in records):
            return [], 0
        stored = self.chroma.chunk_ids()
        wanted = {cid: r.path for r in records for cid in r.chunk_ids()}
        self.chroma.delete_chunk_ids(sorted(stored - set(wanted)))
        lacking = [path for cid, path in wanted.items() if cid not in stored]
        return sorted(set(lacking)), len(lacking)

    def _data_version(self) -> int:
        try:
            return self._watch.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise _damaged(self.cache_path, error) from error

    def close(self) -> None:
        self.chroma.close()
        with self._readers_lock:
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
        if "prefix" not in {row[1] for row in db.execute("PRAGMA table_info(files)")}:  # a cache from before
            with db:
                db.execute("ALTER TABLE files ADD COLUMN prefix TEXT NOT NULL DEFAULT ''")
                db.execute("ALTER TABLE files ADD COLUMN generation INTEGER NOT NULL DEFAULT 0")
    except sqlite3.OperationalError:
        db.close()
        raise
    except sqlite3.DatabaseError as error:
        db.close()
        raise _damaged(path, error) from error
    return db


def _damaged(path: Path, error: sqlite3.DatabaseError) -> IndexDamagedError:
    return IndexDamagedError(
        f"the index cache at {path} is damaged ({error}): delete it and run the command again; it is "
        "rebuilt from Chroma"
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
            holder = _lock_holder(handle)
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


def _lock_holder(handle, patience: float = 1.0) -> str:
    """The pid the holder wrote; it writes it just after taking the lock, so an empty file may be a moment early."""
    deadline = time.monotonic() + patience
    while True:
        handle.seek(0)
        holder = handle.read().strip()
        if holder or time.monotonic() >= deadline:
            return holder
        time.sleep(0.05)


def _where(key: str, values: tuple[str, ...]) -> dict | None:
    if not values:
        return None
    return {key: values[0]} if len(values) == 1 else {key: {"$in": list(values)}}


def _describe(signature: dict) -> str:
    return f"embedder {signature.get('embedder')} and chunking {signature.get('chunking')}"


def _removed(path: str, generation: int) -> FileRecord:
    return FileRecord(path, "", 0, 0, 0, "removed", "", "", generation)


def _batches(records: list[FileRecord], chunks: int) -> list[list[FileRecord]]:
    """The records in runs of about ``chunks`` chunks each."""
    batches: list[list[FileRecord]] = [[]]
    size = 0
    for record in records:
        if size >= chunks:
            batches.append([])
            size = 0
        batches[-1].append(record)
        size += record.chunks if record.state == "done" else 0
    return batches if batches[0] else []
