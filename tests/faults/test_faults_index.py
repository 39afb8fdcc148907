"""Fault matrix, index groups (issue 10): what the index does when it is damaged, killed or shared.

Index integrity
- the vector store loses its vectors (``chroma/`` deleted, or some ids gone, locally or on a Chroma
  server): the next ingest notices and re-embeds what is missing, and says so
- ``index.sqlite``, the local cache, is garbage: it is set aside with one line and rebuilt from Chroma,
  the source of truth; status, ask and ingest carry on
- an edit that keeps size and modification time (``cp -p``, ``rsync -t``) still reaches the index

Kills
- a real ``newsqa ingest`` SIGKILLed just after start, mid-embedding and near the end, then run again
  with files deleted and changed in between: the index equals a clean build

Concurrency
- two ingests at once on one index: one waits, says why, and the index equals a clean build
- retrieval during an ingest answers from what is already indexed, without errors

Real embedder, real Chroma on temp dirs, real ``newsqa`` processes; no LLM.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

import rag
from rag import Settings
from rag.embeddings import get_embedder
from rag.retrieval import HybridRetriever
from rag.store import Index
from tests.conftest import MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT, ROOT, reap, the_one_that_waited
from tests.test_cli import newsqa
from tests.test_ingest import assert_consistent, write_articles

ARTICLES = 90
DELETED = ["story-003.txt", "story-041.txt", "story-077.txt"]
CHANGED = ["story-005.txt", "story-050.txt", "story-085.txt"]
QUESTIONS = [
    "Which council approved school plan 12?",
    "When will the park work number 4505 start?",
    "What did officials in Jarrow say about the library?",
]
# The real CLI, with batches small enough that a kill finds several written and one being written.
SMALL_BATCH_CLI = (
    "import importlib, sys\n"
    "importlib.import_module('rag.ingest').BATCH_CHUNKS = 8\n"
    "from rag.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
# Searches the index again and again while an ingest writes it, one JSON line per round.
SEARCHER = (
    "import json, os, sys\n"
    "from rag import Settings\n"
    "from rag.embeddings import get_embedder\n"
    "from rag.retrieval import HybridRetriever\n"
    "from rag.store import Index\n"
    "settings = Settings.load()\n"
    "index = Index(settings)\n"
    "retriever = HybridRetriever(index, get_embedder(settings), settings)\n"
    "questions, stop = json.loads(sys.argv[1]), sys.argv[2]\n"
    "while True:\n"
    "    last = os.path.exists(stop)\n"
    "    try:\n"
    "        found = [[r.chunk.id for r in retriever.retrieve(q, k=5)] for q in questions]\n"
    "        print(json.dumps({'last': last, 'found': found}), flush=True)\n"
    "    except Exception as error:\n"
    "        print(json.dumps({'last': last, 'error': repr(error)}), flush=True)\n"
    "    if last:\n"
    "        break\n"
)


# -- index integrity -------------------------------------------------------------------------


def test_a_deleted_vector_store_is_refilled_by_the_next_ingest(tmp_path):
    folder, data_dir = tmp_path / "articles", tmp_path / "data"
    write_articles(folder, 4)
    assert newsqa("ingest", str(folder), "--quiet", data_dir=data_dir).returncode == 0
    shutil.rmtree(data_dir / "indexes" / "default" / "chroma")

    result = newsqa("ingest", str(folder), "--quiet", data_dir=data_dir)

    assert result.returncode == 0, result.stderr
    assert "lacked 4 of 4 chunks" in result.stdout and "4 chunks embedded" in result.stdout
    assert_consistent(Settings.load(data_dir=data_dir), folder)


def test_vectors_missing_for_one_file_are_re_embedded_alone(corpus, settings):
    rag.ingest(corpus, settings=settings, progress=False)
    index = Index(settings)
    try:
        lost = index.collection.get(where={"file": MIDJOURNEY_GADGETS}, include=[])["ids"]
        index.collection.delete(ids=lost[:2])
    finally:
        index.close()

    report = rag.ingest(corpus, settings=settings, progress=False)

    assert report.updated == [MIDJOURNEY_GADGETS] and report.unchanged == [MIDJOURNEY_VENTUREBEAT]
    assert report.embedded_chunks == len(lost)
    assert "lacked 2 of" in report.summary()
    assert_consistent(settings, corpus)


def test_a_chroma_server_that_lost_the_collection_is_refilled(chroma_server, corpus, tmp_path):
    settings = Settings.load(data_dir=tmp_path / "data", chroma_url=chroma_server, index="forgotten")
    first = rag.ingest(corpus, settings=settings, progress=False)
    index = Index(settings)
    try:
        index.chroma._client.delete_collection(index.chroma.name)  # the chunks; the manifest stays
    finally:
        index.close()

    report = rag.ingest(corpus, settings=settings, progress=False)

    assert report.embedded_chunks == first.total_chunks and "lacked" in report.summary()
    assert_consistent(settings, corpus)


def test_a_garbage_cache_is_set_aside_and_rebuilt_from_chroma(corpus, tmp_path):
    assert newsqa("ingest", str(corpus), "--quiet", data_dir=tmp_path).returncode == 0
    database = tmp_path / "indexes" / "default" / "index.sqlite"
    database.write_bytes(b"this is not a database, it was overwritten by mistake\n" * 200)

    status = newsqa("status", data_dir=tmp_path)

    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr
    assert status.stderr.strip().count("\n") == 0 and "damaged" in status.stderr
    assert "rebuilt from Chroma" in status.stderr
    assert json.loads(status.stdout)["files"] == 2 and json.loads(status.stdout)["chunks"] > 0
    assert list(database.parent.glob("index.sqlite.damaged-*")), "the damaged file is kept aside"
    asked = newsqa("ask", "Who is the CEO of Midjourney?", "--backend", "local", data_dir=tmp_path)
    assert asked.returncode == 0 and "David Holz" in asked.stdout, asked.stderr
    again = newsqa("ingest", str(corpus), "--quiet", data_dir=tmp_path)
    assert again.returncode == 0 and "2 unchanged" in again.stdout and "0 chunks embedded" in again.stdout
    assert_consistent(Settings.load(data_dir=tmp_path), corpus)


def test_an_edit_that_keeps_size_and_mtime_reaches_the_index(corpus, settings):
    rag.ingest(corpus, settings=settings, progress=False)
    edited = corpus / MIDJOURNEY_VENTUREBEAT
    before = edited.stat()
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("Midjourney", "Zorblaxium", 1), encoding="utf-8")  # same length
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (edited.stat().st_size, edited.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    report = rag.ingest(corpus, settings=settings, progress=False)

    assert report.updated == [MIDJOURNEY_VENTUREBEAT]
    assert_consistent(settings, corpus)
    index = Index(settings)
    try:
        assert index.mentions("Zorblaxium")
    finally:
        index.close()


# -- kills -----------------------------------------------------------------------------------


def final_folder(folder: Path) -> Path:
    """The corpus as the kill tests leave it: some articles deleted, some changed."""
    for name in DELETED:
        (folder / name).unlink(missing_ok=True)
    for name in CHANGED:
        with open(folder / name, "a", encoding="utf-8") as f:
            f.write("\nA later paragraph: the regional board confirmed the vote on Friday evening.\n")
    return folder


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory) -> dict:
    """What a clean build of the final corpus holds."""
    root = tmp_path_factory.mktemp("clean")
    folder = root / "articles"
    write_articles(folder, ARTICLES)
    settings = Settings.load(data_dir=root / "data")
    rag.ingest(final_folder(folder), settings=settings, progress=False)
    return snapshot(settings)


def snapshot(settings: Settings) -> dict:
    """The files, chunks and vectors an index holds, and its top results for QUESTIONS."""
    index = Index(settings)
    try:
        retriever = HybridRetriever(index, get_embedder(settings), settings)
        return {
            "files": {path: record.sha256 for path, record in index.files().items()},
            "chunks": sorted(index.db.execute("SELECT id, text FROM chunks")),
            "vectors": sorted(index.collection.get(include=[])["ids"]),
            "top": {q: [r.chunk.id for r in retriever.retrieve(q, k=5)] for q in QUESTIONS},
        }
    finally:
        index.close()


def cli_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    return {**env, "NEWSQA_DATA_DIR": str(data_dir)}


def start(code: str, *args: str, data_dir: Path, log: Path) -> subprocess.Popen:
    with open(log, "wb") as output:
        return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=cli_env(data_dir),
                                stdout=output, stderr=subprocess.STDOUT)


def files_done(data_dir: Path) -> int:
    database = data_dir / "indexes" / "default" / "index.sqlite"
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
            return db.execute("SELECT count(*) FROM files WHERE state='done'").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet, or busy


def wait_until(ready, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, f"it ended first:\n{log.read_text(errors='replace')[-2000:]}"
        assert time.monotonic() < deadline, "nothing happened in time"
        time.sleep(0.01)


@pytest.mark.slow
@pytest.mark.parametrize("moment", [0.0, 0.4, 0.85], ids=["just-after-start", "mid-embedding", "near-the-end"])
def test_a_killed_ingest_then_a_changed_folder_ends_as_a_clean_build(tmp_path, clean_build, moment):
    folder, data_dir, log = tmp_path / "articles", tmp_path / "data", tmp_path / "ingest.log"
    write_articles(folder, ARTICLES)
    process = start(SMALL_BATCH_CLI, "ingest", str(folder), "--quiet", data_dir=data_dir, log=log)
    database = data_dir / "indexes" / "default" / "index.sqlite"
    try:
        if moment:
            wait_until(lambda: files_done(data_dir) >= moment * ARTICLES, process, log)
        else:
            wait_until(database.exists, process, log)
        process.send_signal(signal.SIGKILL)
    finally:
        reap(process)
    assert process.returncode == -signal.SIGKILL
    assert files_done(data_dir) < ARTICLES, "the kill landed before the end"

    rerun = newsqa("ingest", str(final_folder(folder)), "--quiet", data_dir=data_dir)

    assert rerun.returncode == 0 and "Traceback" not in rerun.stderr, rerun.stderr
    settings = Settings.load(data_dir=data_dir)
    assert_consistent(settings, folder)
    assert snapshot(settings) == clean_build
    assert rag.ingest(folder, settings=settings, progress=False).embedded_chunks == 0


# -- concurrency -----------------------------------------------------------------------------


@pytest.mark.slow
def test_two_ingests_at_once_take_turns_and_say_so(tmp_path, clean_build):
    folder, data_dir = final_folder(write_folder(tmp_path / "articles")), tmp_path / "data"
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = [start(SMALL_BATCH_CLI, "ingest", str(folder), "--quiet", data_dir=data_dir, log=log)
                 for log in logs]

    output, other = the_one_that_waited(processes, logs)

    assert f"another ingest (process {other.pid}) is updating index 'default'" in output
    assert "0 chunks embedded" in output, "the one that waited found everything done"
    settings = Settings.load(data_dir=data_dir)
    assert_consistent(settings, folder)
    assert snapshot(settings) == clean_build


@pytest.mark.slow
def test_searches_during_an_ingest_answer_from_what_is_indexed(tmp_path, clean_build):
    folder, data_dir = final_folder(write_folder(tmp_path / "articles")), tmp_path / "data"
    # Batches of two, so the ingest outlasts the searcher's start-up (with eight, a fresh clone's run once
    # finished before the searcher's second round).
    ingesting = start(SMALL_BATCH_CLI.replace("BATCH_CHUNKS = 8", "BATCH_CHUNKS = 2"), "ingest", str(folder),
                      "--quiet", data_dir=data_dir, log=tmp_path / "ingest.log")
    wait_until(lambda: files_done(data_dir) > 0, ingesting, tmp_path / "ingest.log")
    stop = tmp_path / "stop"
    searching = start(SEARCHER, json.dumps(QUESTIONS), str(stop), data_dir=data_dir, log=tmp_path / "search.log")
    assert ingesting.wait(timeout=300) == 0, (tmp_path / "ingest.log").read_text()
    stop.touch()
    assert searching.wait(timeout=120) == 0, (tmp_path / "search.log").read_text()[-2000:]

    rounds = [json.loads(line) for line in (tmp_path / "search.log").read_text().splitlines() if line.startswith("{")]
    assert [r for r in rounds if "error" in r] == []
    assert len(rounds) >= 2
    assert all(found for r in rounds for found in r["found"]), "every search found passages"
    settings = Settings.load(data_dir=data_dir)
    assert_consistent(settings, folder)
    assert snapshot(settings) == clean_build
    # The searcher opened the vector store before the ingest ended, yet its last round sees it all.
    assert rounds[-1]["found"] == [clean_build["top"][q] for q in QUESTIONS]


def write_folder(folder: Path) -> Path:
    write_articles(folder, ARTICLES)
    return folder
