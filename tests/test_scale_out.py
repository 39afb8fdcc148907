"""Several app servers on one `chroma run` server: Chroma holds the index, each process a cache of it.

Every process here has its own data folder, as app servers on different machines would: only the
Chroma server is shared.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rag
from rag import Settings
from rag.embeddings import get_embedder
from rag.retrieval import HybridRetriever
from rag.store import CHECK_EVERY_S, Index
from tests.conftest import ROOT, free_port, reap, stop, the_one_that_waited, wait_for_http
from tests.faults.test_faults_index import SMALL_BATCH_CLI, wait_until
from tests.test_ingest import assert_consistent, write_articles

ARTICLES = 60


def cli(*args: str, data_dir: Path, url: str, index: str, log: Path | None = None, small_batches: bool = False):
    """`newsqa ARGS` against the Chroma server at ``url``: run to the end, or started when ``log`` is given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    env.update(NEWSQA_DATA_DIR=str(data_dir), NEWSQA_CHROMA_URL=url, NEWSQA_INDEX=index)
    command = [sys.executable, "-c", SMALL_BATCH_CLI, *args] if small_batches else [sys.executable, "-m", "rag.cli",
                                                                                     *args]
    if log is None:
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    with open(log, "wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def served(url: str, data_dir: Path, index: str) -> Settings:
    return Settings.load(data_dir=data_dir, chroma_url=url, index=index)


def contents(settings: Settings) -> dict:
    """What an index holds, read through a fresh cache: files, chunk texts, vector ids."""
    index = Index(settings)
    try:
        return {
            "files": {path: record.sha256 for path, record in index.files().items()},
            "chunks": sorted(index.db.execute("SELECT id, text FROM chunks")),
            "vectors": sorted(index.collection.get(include=[])["ids"]),
        }
    finally:
        index.close()


def published_files(url: str, index: str, scratch: Path) -> int:
    """How many files the shared index has finished, read from Chroma by an outside reader."""
    try:
        reader = Index(served(url, scratch, index))
    except Exception:  # noqa: BLE001 - the collection may not exist yet
        return 0
    try:
        return sum(r.state == "done" for r in reader.chroma.file_records())
    finally:
        reader.close()


def test_an_article_ingested_through_one_server_is_found_by_keyword_in_another(chroma_server, tmp_path):
    folder = tmp_path / "articles"
    write_articles(folder, 3)
    assert cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=chroma_server,
               index="two-servers").returncode == 0
    reader = Index(served(chroma_server, tmp_path / "b", "two-servers"))  # the second app server, already up
    try:
        assert reader.chunk_count() > 0, "a fresh process starts from what Chroma holds"
        assert reader.lexical_search("Zorblaxium", 5) == []
        (folder / "late.txt").write_text("Zorblaxium, a new wire service, opened its first bureau in Jarrow "
                                         "on Monday, its founders said.\n", encoding="utf-8")

        written = cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=chroma_server,
                      index="two-servers")
        assert written.returncode == 0, written.stderr
        started = time.monotonic()
        while not (hits := reader.lexical_search("Zorblaxium", 5)):
            assert time.monotonic() - started < CHECK_EVERY_S + 5, "the keyword index never caught up"
            time.sleep(0.2)

        assert reader.chunks([hits[0][0]])[hits[0][0]].file == "late.txt"
    finally:
        reader.close()


def test_a_dense_hit_the_cache_lacks_is_synced_not_dropped(chroma_server, tmp_path):
    folder = tmp_path / "articles"
    write_articles(folder, 3)
    cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=chroma_server, index="dense-first")
    reader = Index(served(chroma_server, tmp_path / "b", "dense-first"))
    try:
        (folder / "late.txt").write_text("Harbour pilots in Calder Bay voted to strike over night shifts.\n",
                                         encoding="utf-8")
        assert cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=chroma_server,
                   index="dense-first").returncode == 0
        reader._checked = time.monotonic() + 3600  # no timed check: only the missing text may trigger a sync
        settings = served(chroma_server, tmp_path / "b", "dense-first")
        vector = get_embedder(settings).embed(["Harbour pilots in Calder Bay voted to strike"])[0]
        hits = reader.chroma.query(vector, 3, None)  # straight from Chroma: the new chunk leads
        assert reader.chunk_count() < reader.vector_count(), "the cache is behind"

        found = reader.chunks([cid for cid, _ in hits])

        assert [found[cid].file for cid, _ in hits][0] == "late.txt"
        assert reader.chunk_count() == reader.vector_count(), "the miss synced the cache"
    finally:
        reader.close()


def test_a_deleted_cache_is_rebuilt_from_chroma(chroma_server, tmp_path):
    folder = tmp_path / "articles"
    write_articles(folder, 5)
    settings = served(chroma_server, tmp_path / "a", "cache-lost")
    rag.ingest(folder, settings=settings, progress=False)
    before = contents(settings)
    shutil.rmtree(settings.index_dir)

    after = contents(settings)

    assert after == before and before["chunks"]
    retriever_index = Index(settings)
    try:
        top = HybridRetriever(retriever_index, get_embedder(settings), settings).retrieve(
            "Which council approved school plan 2?", k=3)
        assert top and top[0].lexical is not None
    finally:
        retriever_index.close()


@pytest.mark.slow
def test_two_ingests_on_two_machines_take_turns_through_the_lease(chroma_server, tmp_path):
    folder = tmp_path / "articles"
    write_articles(folder, ARTICLES)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    # Different data folders: no shared file lock, only the lease in Chroma keeps them apart.
    processes = [cli("ingest", str(folder), "--quiet", data_dir=tmp_path / f"machine-{n}", url=chroma_server,
                     index="two-writers", log=log, small_batches=True) for n, log in enumerate(logs)]

    output, other = the_one_that_waited(processes, logs)

    assert f"another ingest (process {other.pid} on " in output and "is writing index 'two-writers'" in output
    assert "0 chunks embedded" in output, "the one that waited found everything done"
    assert_consistent(served(chroma_server, tmp_path / "check", "two-writers"), folder)


@pytest.mark.slow
def test_a_killed_server_mode_ingest_rerun_equals_a_clean_build(chroma_server, tmp_path):
    folder = tmp_path / "articles"
    write_articles(folder, ARTICLES)
    clean = served(chroma_server, tmp_path / "clean", "killed-clean")
    rag.ingest(folder, settings=clean, progress=False)
    log = tmp_path / "ingest.log"
    process = cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=chroma_server, index="killed",
                  log=log, small_batches=True)
    try:
        half_done = lambda: published_files(chroma_server, "killed", tmp_path / "watch") >= ARTICLES // 2  # noqa: E731
        wait_until(half_done, process, log, 180)
        process.send_signal(signal.SIGKILL)
    finally:
        reap(process)
    assert published_files(chroma_server, "killed", tmp_path / "watch") < ARTICLES, "the kill landed before the end"

    rerun = cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=chroma_server, index="killed")

    assert rerun.returncode == 0 and "waiting" not in rerun.stderr, rerun.stderr  # a dead holder frees the lease
    settings = served(chroma_server, tmp_path / "check", "killed")
    assert_consistent(settings, folder)
    assert contents(settings) == contents(clean)


@pytest.mark.slow
def test_a_chroma_server_that_dies_mid_ingest_is_exit_7_and_a_rerun_repairs(tmp_path):
    chroma = shutil.which("chroma")
    if chroma is None:
        pytest.skip("the chroma command is not installed")
    port, path = free_port(), tmp_path / "chroma-data"
    url = f"http://127.0.0.1:{port}"

    def start_server() -> subprocess.Popen:
        server = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        wait_for_http(f"{url}/api/v2/heartbeat", server, timeout=60)
        return server

    folder = tmp_path / "articles"
    write_articles(folder, ARTICLES)
    server = start_server()
    log = tmp_path / "ingest.log"
    try:
        process = cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=url, index="outage",
                      log=log, small_batches=True)
        wait_until(lambda: published_files(url, "outage", tmp_path / "watch") >= 10, process, log, 180)
        server.send_signal(signal.SIGKILL)
        server.wait()
        assert process.wait(timeout=120) == 7, log.read_text(errors="replace")[-2000:]
        output = log.read_text(errors="replace")
        assert "Traceback" not in output and f"The Chroma server at {url} stopped answering" in output

        server = start_server()
        rerun = cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=url, index="outage")
        assert rerun.returncode == 0, rerun.stderr
        assert_consistent(served(url, tmp_path / "check", "outage"), folder)
    finally:
        stop(server)


def test_a_writer_whose_lease_was_taken_stops_before_its_next_batch(tmp_path, monkeypatch):
    import importlib

    from rag.chroma_index import LeaseLostError
    from rag.embeddings import MiniLMEmbedding

    folder = tmp_path / "articles"
    write_articles(folder, 12)
    settings = Settings.load(data_dir=tmp_path / "data")
    monkeypatch.setattr(importlib.import_module("rag.ingest"), "BATCH_CHUNKS", 4)
    batches = []
    original = MiniLMEmbedding.embed

    def stolen_after_the_first_batch(self, texts):
        batches.append(len(texts))
        if len(batches) == 2:  # another writer, paused past the lease, takes over meanwhile
            thief = Index(settings)
            thief.chroma.set_meta(lease="elsewhere 1 thief", lease_until=time.time() + 60)
            thief.close()
        return original(self, texts)

    monkeypatch.setattr(MiniLMEmbedding, "embed", stolen_after_the_first_batch)
    with pytest.raises(LeaseLostError, match="another process took the write lease"):
        rag.ingest(folder, settings=settings, progress=False)

    index = Index(settings)
    try:
        assert len(batches) == 2 and index.chroma.file_records(state="pending") == []  # nothing half-written
        assert index.chroma.meta()["lease"] == "elsewhere 1 thief", "the loser leaves the new holder's lease alone"
    finally:
        index.close()


def test_newsqa_sync_says_how_much_a_fresh_cache_fetched(chroma_server, tmp_path):
    folder = tmp_path / "articles"
    write_articles(folder, 3)
    cli("ingest", str(folder), "--quiet", data_dir=tmp_path / "a", url=chroma_server, index="synced-by-cli")

    fresh = cli("sync", data_dir=tmp_path / "b", url=chroma_server, index="synced-by-cli")
    again = cli("sync", data_dir=tmp_path / "b", url=chroma_server, index="synced-by-cli")

    chunks = contents(served(chroma_server, tmp_path / "b", "synced-by-cli"))["chunks"]
    assert fresh.returncode == 0 and f"{len(chunks)} chunks fetched; the cache holds 3 files" in fresh.stdout
    assert again.returncode == 0 and "0 chunks fetched" in again.stdout
