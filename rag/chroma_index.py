"""The index as Chroma holds it, the source of truth that every app server shares.

Two collections per index: ``newsqa-NAME`` holds each chunk's vector, text and metadata;
``newsqa-NAME-files`` holds the manifest, one record per file (its sha256, size, chunk count,
state and the generation that wrote it). The manifest collection's own metadata says what built
the index, the last generation a writer published, and who holds the write lease.

A writer tags every record it writes with the next generation and publishes that number when a
batch is whole, so a reader that has synced up to generation G fetches exactly the records with
G < gen <= published. Files are never deleted from the manifest, only marked ``removed``, so
readers see removals the same way.
"""

from __future__ import annotations

import hashlib
import math
import os
import socket
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .chunking import Chunk
from .errors import ConfigError, NewsqaError, StoreUnavailableError
from .settings import Settings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

LEASE_S = 60.0  # a writer that stops renewing (killed on another machine) frees the index after this
RENEW_EVERY_S = 10.0
PAGE = 2000  # records per Chroma read


@dataclass(frozen=True)
class FileRecord:
    path: str
    sha256: str
    size: int
    mtime_ns: int
    chunks: int
    state: str  # "done", "pending" (being written, or left half-written by a killed run), "removed"
    title: str
    prefix: str = ""  # the chunk ids are PREFIX:0 .. PREFIX:chunks-1
    generation: int = 0

    def chunk_ids(self) -> list[str]:
        return [f"{self.prefix}:{n}" for n in range(self.chunks)]


class LeaseLostError(NewsqaError):
    """Another writer took the index while this one was writing (it stopped renewing its lease)."""

    exit_code = 7


class ChromaIndex:
    """Both collections of one index, on a Chroma server or in a local folder."""

    def __init__(self, settings: Settings, local_dir: Path) -> None:
        self.settings = settings
        self.local_dir = local_dir
        self.name = f"newsqa-{settings.index}"
        self.lock = threading.RLock()  # every Chroma call: a reload closes the client under it
        self._client = _chroma_client(settings, local_dir)
        with _reaching(settings):
            self.chunks, self.manifest = self._open()
        self._lease: str | None = None
        self._lease_lost = False
        self._renewer: threading.Thread | None = None
        self._stop_renewing = threading.Event()

    def _open(self):
        # No embedding function: Chroma's default one downloads a model. We always pass vectors.
        chunks = self._client.get_or_create_collection(
            self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
        manifest = self._client.get_or_create_collection(
            f"{self.name}-files", embedding_function=None, metadata={"generation": 0})
        return chunks, manifest

    def reopen(self) -> None:
        """A new client: an embedded Chroma keeps its vectors in memory and misses other processes' writes."""
        with self.lock:
            self._client.close()
            self._client = _chroma_client(self.settings, self.local_dir)
            with _reaching(self.settings):
                self.chunks, self.manifest = self._open()

    def close(self) -> None:
        self._stop_renewing.set()
        with self.lock:
            self._client.close()

    @property
    def identity(self) -> str:
        """Changes when either collection is made anew (a reset, or a server that lost it)."""
        return f"{self.chunks.id}/{self.manifest.id}"

    # -- the manifest's metadata: what built it, the generation, the lease -------------------

    def meta(self) -> dict:
        with self.lock, _reaching(self.settings):
            try:
                fresh = self._client.get_collection(self.manifest.name, embedding_function=None)
            except Exception as error:  # noqa: BLE001 - deleted under us; Chroma's "not found" types vary
                if _is_transport(error):
                    raise
                fresh = None
            if fresh is None or fresh.id != self.manifest.id or self._chunks_gone():
                self.chunks, self.manifest = self._open()
                fresh = self._client.get_collection(self.manifest.name, embedding_function=None)
            return dict(fresh.metadata or {})

    def _chunks_gone(self) -> bool:
        try:
            return self._client.get_collection(self.name, embedding_function=None).id != self.chunks.id
        except Exception:  # noqa: BLE001 - Chroma's "not found" types vary by version
            return True

    def set_meta(self, **values) -> None:
        with self.lock, _reaching(self.settings):
            self.manifest.modify(metadata={**self.meta(), **values})

    def generation(self) -> int:
        return int(self.meta().get("generation", 0))

    def publish(self, generation: int) -> None:
        """Makes everything written with ``generation`` visible to readers."""
        self.check_lease()
        self.set_meta(generation=generation)

    # -- the write lease -----------------------------------------------------------------

    @contextmanager
    def lease(self):
        """One writer at a time on this index, wherever it runs; a second one waits and says so."""
        me = f"{socket.gethostname()} {os.getpid()} {uuid.uuid4().hex[:8]}"
        told = False
        while True:
            meta = self.meta()
            holder = str(meta.get("lease", ""))
            if holder and holder != me and float(meta.get("lease_until", 0)) > time.time() and _alive(holder):
                if not told:
                    host, pid = holder.split()[:2]
                    print(f"newsqa: another ingest (process {pid} on {host}) is writing index "
                          f"{self.settings.index!r}; waiting for it to finish.", file=sys.stderr, flush=True)
                    told = True
                time.sleep(1.0)
                continue
            self.set_meta(lease=me, lease_until=time.time() + LEASE_S)
            time.sleep(0.2)  # a rival that read the lease free at the same moment has written by now
            if self.meta().get("lease") == me:
                break
        self._lease, self._lease_lost = me, False
        self._stop_renewing.clear()
        self._renewer = threading.Thread(target=self._renew, daemon=True, name="newsqa-lease")
        self._renewer.start()
        try:
            yield
        finally:
            self._stop_renewing.set()
            self._renewer.join()
            try:
                if self.meta().get("lease") == me:
                    self.set_meta(lease="", lease_until=0.0)
            except StoreUnavailableError:
                pass  # the server is gone; the lease runs out by itself
            self._lease = None

    def _renew(self) -> None:
        while not self._stop_renewing.wait(RENEW_EVERY_S):
            try:
                with self.lock:
                    if self.meta().get("lease") != self._lease:
                        self._lease_lost = True
                        return
                    self.set_meta(lease_until=time.time() + LEASE_S)
            except Exception:  # noqa: BLE001 - the writer's own next call reports an unreachable server
                pass

    def check_lease(self) -> None:
        if self._lease is None:
            return
        if self._lease_lost or self.meta().get("lease") != self._lease:
            raise LeaseLostError(
                f"another process took the write lease of index {self.settings.index!r} while this ingest was "
                "writing (this one stopped renewing it for over a minute); run `newsqa ingest` again")

    # -- records ---------------------------------------------------------------------------

    def put_files(self, records: list[FileRecord]) -> None:
        with self.lock, _reaching(self.settings):
            for begin in range(0, len(records), PAGE):
                part = records[begin : begin + PAGE]
                self.manifest.upsert(ids=[r.path for r in part], embeddings=[_spot(r.path) for r in part],
                                     metadatas=[_record_metadata(r) for r in part])

    def file_records(self, after: int = -1, upto: int | None = None, state: str | None = None) -> list[FileRecord]:
        """The manifest's records written after generation ``after`` and up to ``upto``, of ``state`` if given."""
        terms: list[dict] = [{"gen": {"$gt": after}}]
        if upto is not None:
            terms.append({"gen": {"$lte": upto}})
        if state:
            terms.append({"state": state})
        where = terms[0] if len(terms) == 1 else {"$and": terms}
        records: list[FileRecord] = []
        with self.lock, _reaching(self.settings):
            while True:
                got = self.manifest.get(where=where, include=["metadatas"], limit=PAGE, offset=len(records))
                records += [_record(m) for m in got["metadatas"]]
                if len(got["ids"]) < PAGE:
                    return records

    def put_chunks(self, chunks: list[Chunk], vectors: np.ndarray, generation: int) -> None:
        with self.lock, _reaching(self.settings):
            step = max(1, min(self._client.get_max_batch_size(), 4096))
            for begin in range(0, len(chunks), step):
                part = chunks[begin : begin + step]
                self.chunks.upsert(
                    ids=[c.id for c in part],
                    embeddings=vectors[begin : begin + step],
                    documents=[c.text for c in part],
                    metadatas=[{**c.metadata, "gen": generation} for c in part],
                )

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """Those of ``ids`` that Chroma holds, with their texts."""
        found: list[Chunk] = []
        with self.lock, _reaching(self.settings):
            for begin in range(0, len(ids), PAGE):
                got = self.chunks.get(ids=ids[begin : begin + PAGE], include=["documents", "metadatas"])
                found += [_chunk(cid, text, meta) for cid, text, meta in
                          zip(got["ids"], got["documents"], got["metadatas"])]
        return found

    def delete_chunks_of(self, paths: list[str]) -> None:
        with self.lock, _reaching(self.settings):
            for begin in range(0, len(paths), 500):
                self.chunks.delete(where={"file": {"$in": paths[begin : begin + 500]}})

    def delete_chunk_ids(self, ids: list[str]) -> None:
        with self.lock, _reaching(self.settings):
            for begin in range(0, len(ids), PAGE):
                self.chunks.delete(ids=ids[begin : begin + PAGE])

    def chunk_ids(self) -> set[str]:
        ids: set[str] = set()
        with self.lock, _reaching(self.settings):
            while True:
                got = self.chunks.get(include=[], limit=PAGE * 5, offset=len(ids))["ids"]
                ids.update(got)
                if len(got) < PAGE * 5:
                    return ids

    def vector_count(self) -> int:
        with self.lock, _reaching(self.settings):
            return self.chunks.count()

    def query(self, vector: np.ndarray, n: int, where: dict | None) -> list[tuple[str, float]]:
        with self.lock, _reaching(self.settings):
            result = self.chunks.query(query_embeddings=[vector], n_results=n, where=where, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def drop(self) -> None:
        """Deletes both collections and makes them anew, empty; the lease, if held, is kept."""
        with self.lock, _reaching(self.settings):
            kept = {k: v for k, v in self.meta().items() if k in ("lease", "lease_until")}
            for name in (self.name, f"{self.name}-files"):
                try:
                    self._client.delete_collection(name)
                except Exception:  # noqa: BLE001 - already gone is fine; Chroma's error types vary by version
                    pass
            self.chunks, self.manifest = self._open()
            if kept:
                self.manifest.modify(metadata={"generation": 0, **kept})


def _record_metadata(record: FileRecord) -> dict:
    return {"path": record.path, "sha256": record.sha256, "size": record.size, "mtime_ns": record.mtime_ns,
            "chunks": record.chunks, "state": record.state, "title": record.title, "prefix": record.prefix,
            "gen": record.generation}


def _record(meta: dict) -> FileRecord:
    return FileRecord(meta["path"], meta["sha256"], int(meta["size"]), int(meta["mtime_ns"]), int(meta["chunks"]),
                      meta["state"], meta.get("title", ""), meta.get("prefix", ""), int(meta.get("gen", 0)))


def _chunk(cid: str, text: str, meta: dict) -> Chunk:
    return Chunk(cid, meta["file"], int(meta["position"]), text or "", int(meta["start"]), int(meta["end"]),
                 meta.get("title", ""), meta.get("source", ""), meta.get("published", ""), meta.get("url", ""))


def _spot(path: str) -> list[float]:
    """A manifest record's vector: Chroma wants one, nothing searches it; spread so the graph stays sane."""
    angle = int(hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:8], 16) / 2**32 * 2 * math.pi
    return [math.cos(angle), math.sin(angle)]


def _alive(holder: str) -> bool:
    """Whether the process holding a lease still runs; known only for this machine's processes."""
    host, pid = (holder.split() + ["", ""])[:2]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _reaching(settings: Settings):
    """Turns a Chroma server that stopped answering into a StoreUnavailableError (exit 7)."""
    try:
        yield
    except Exception as error:
        if settings.chroma_url and _is_transport(error):
            raise StoreUnavailableError(
                f"The Chroma server at {settings.chroma_url} stopped answering ({type(error).__name__}); "
                "start it again, then re-run the command: an interrupted ingest is repaired by the next one."
            ) from error
        raise


def _is_transport(error: BaseException) -> bool:
    try:
        import httpx
    except ImportError:  # pragma: no cover - chromadb's HTTP client needs it
        return False
    return isinstance(error, (httpx.TransportError, ConnectionError)) or (
        type(error).__name__ in ("ConnectError", "ReadError", "RemoteProtocolError"))


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
