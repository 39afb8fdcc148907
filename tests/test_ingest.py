"""A user keeps a folder of articles and re-runs `ingest` as it changes: only what changed is embedded,
the index never keeps what left the folder, and a run that dies half-way is repaired by the next one.

Real embedder, real embedded Chroma on a temp dir."""

import importlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import numpy as np
import pytest

import rag
from rag import Settings
from rag.answer import Engine
from rag.chunking import chunk_article, chunking_id
from rag.corpus import parse_article
from rag.embeddings import MiniLMEmbedding, embedder_id
from rag.errors import IndexMismatchError
from rag.store import Index
from tests.conftest import MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT, ROOT, reap

ingest_module = importlib.import_module("rag.ingest")  # `rag.ingest` itself is the function

TOWNS = ["Ashford", "Brampton", "Carlow", "Dunmore", "Elgin", "Fenwick", "Galway", "Hexham", "Ilford", "Jarrow"]
TOPICS = ["harbour", "school", "rail", "water", "park", "library", "bridge", "market", "clinic", "road"]


def news_article(number: int, sentences: int = 12) -> str:
    """A short, distinct news story with header lines, in paragraphs of four sentences."""
    town, topic = TOWNS[number % len(TOWNS)], TOPICS[number // len(TOWNS) % len(TOPICS)]
    lines = [
        f"The {town} council approved {topic} plan {number} with {sentence + 3} votes on day {sentence}."
        if sentence % 2 == 0 else
        f"Officials in {town} said the {topic} work number {number * 100 + sentence} would start soon."
        for sentence in range(sentences)
    ]
    paragraphs = [" ".join(lines[i:i + 4]) for i in range(0, len(lines), 4)]
    header = f"Title: {town} backs {topic} plan {number}\nSource: {town} Gazette\nPublished: 2024-05-{number % 28 + 1:02d}\n\n"
    return header + "\n\n".join(paragraphs) + "\n"


def write_articles(folder, count: int, sentences: int = 12) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for number in range(count):
        name = f"story-{number:03d}.txt"
        (folder / name).write_text(news_article(number, sentences), encoding="utf-8")
        names.append(name)
    return names


def expected_chunks(folder, path: str, settings: Settings):
    """The chunks ingest should make of ``folder/path``, computed here without the index."""
    article = parse_article(path, (folder / path).read_bytes())
    return chunk_article(article, settings.chunk_size, settings.chunk_overlap)


def assert_consistent(settings: Settings, folder=None) -> dict:
    """Chroma and the cache hold the same files and chunks, each file's exactly once; returns the file records."""
    index = Index(settings)
    try:
        files = index.files()
        truth = {r.path: r for r in index.chroma.file_records() if r.state != "removed"}
        assert files == truth, "the cache's manifest is Chroma's"
        sqlite_ids = [row[0] for row in index.db.execute("SELECT id FROM chunks")]
        chroma_ids = index.collection.get(include=[])["ids"]
        assert len(set(chroma_ids)) == len(chroma_ids)
        assert set(chroma_ids) == set(sqlite_ids), "orphan vectors or chunks without vectors"
        assert index.chunk_count() == index.vector_count() == sum(r.chunks for r in files.values())
        assert all(r.state == "done" for r in files.values()), files
        for path, record in files.items():
            positions = [row[0] for row in index.db.execute("SELECT position FROM chunks WHERE file=?", (path,))]
            assert sorted(positions) == list(range(record.chunks)), path
            assert len(index.collection.get(where={"file": path}, include=[])["ids"]) == record.chunks, path
        if folder is not None:
            wanted = {c.id for path in files for c in expected_chunks(folder, path, settings)}
            assert set(sqlite_ids) == wanted
        return files
    finally:
        index.close()


@pytest.fixture
def embedded(monkeypatch) -> list[list[str]]:
    """Every call to the embedder during the test: the list of texts it was given."""
    calls: list[list[str]] = []
    original = MiniLMEmbedding.embed

    def spy(self, texts):
        calls.append(list(texts))
        return original(self, texts)

    monkeypatch.setattr(MiniLMEmbedding, "embed", spy)
    return calls


def embedded_texts(calls: list[list[str]]) -> list[str]:
    return sorted(text for call in calls for text in call)


def test_a_second_run_over_an_unchanged_folder_embeds_nothing(corpus, settings, embedded):
    first = rag.ingest(corpus, settings=settings, progress=False)

    seeds = sorted([MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT])
    assert sorted(first.added) == seeds
    assert first.total_files == 2 and first.embedded_chunks == first.total_chunks > 2
    assert len(embedded_texts(embedded)) == first.total_chunks
    embedded.clear()

    second = rag.ingest(corpus, settings=settings, progress=False)

    assert second.embedded_chunks == 0 and embedded == []
    assert sorted(second.unchanged) == seeds
    assert (second.added, second.updated, second.removed, second.skipped, second.recovered) == ([], [], [], [], [])
    assert second.total_chunks == first.total_chunks
    assert_consistent(settings, corpus)


def test_only_new_changed_and_renamed_files_are_embedded(corpus, settings, embedded):
    (corpus / "council.txt").write_text(news_article(1), encoding="utf-8")
    (corpus / "rail.txt").write_text(news_article(2), encoding="utf-8")
    rag.ingest(corpus, settings=settings, progress=False)
    before = Index(settings)
    old_ids = {path: {row[0] for row in before.db.execute("SELECT id FROM chunks WHERE file=?", (path,))}
               for path in before.files()}
    before.close()
    embedded.clear()

    # The user adds a story in a new sub-folder, adds a paragraph to one, deletes one and renames one.
    (corpus / "2024").mkdir()
    (corpus / "2024" / "harbour.txt").write_text(news_article(3), encoding="utf-8")
    with open(corpus / MIDJOURNEY_GADGETS, "a", encoding="utf-8") as f:
        f.write("\nUpdate: Midjourney told reporters on Monday that the zeppelinfield licence runs for five years.\n")
    (corpus / "council.txt").unlink()
    (corpus / "archive").mkdir()
    (corpus / "rail.txt").rename(corpus / "archive" / "rail-2024.txt")

    report = rag.ingest(corpus, settings=settings, progress=False)

    assert sorted(report.added) == ["2024/harbour.txt", "archive/rail-2024.txt"]
    assert report.updated == [MIDJOURNEY_GADGETS]
    assert sorted(report.removed) == ["council.txt", "rail.txt"]
    assert report.unchanged == [MIDJOURNEY_VENTUREBEAT]
    assert report.skipped == [] and report.recovered == []

    changed = ["2024/harbour.txt", "archive/rail-2024.txt", MIDJOURNEY_GADGETS]
    wanted = [c for path in changed for c in expected_chunks(corpus, path, settings)]
    assert embedded_texts(embedded) == sorted(c.indexed_text() for c in wanted)
    assert report.embedded_chunks == len(wanted)

    files = assert_consistent(settings, corpus)
    assert set(files) == {"2024/harbour.txt", "archive/rail-2024.txt", MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT}
    assert report.total_chunks == sum(r.chunks for r in files.values())
    index = Index(settings)
    try:
        for gone in ("council.txt", "rail.txt"):
            assert index.collection.get(where={"file": gone}, include=[])["ids"] == []
            assert index.db.execute("SELECT count(*) FROM chunks WHERE file=?", (gone,)).fetchone()[0] == 0
        now_ids = set(index.collection.get(include=[])["ids"])
        assert not old_ids[MIDJOURNEY_GADGETS] & now_ids, "the old version's vectors are gone"
        assert old_ids[MIDJOURNEY_VENTUREBEAT] <= now_ids, "the unchanged file kept its vectors"
        hits = index.chunks([cid for cid, _ in index.lexical_search("zeppelinfield licence", 5)])
        assert {chunk.file for chunk in hits.values()} == {MIDJOURNEY_GADGETS}
    finally:
        index.close()


def test_touching_a_file_embeds_nothing_and_records_its_mtime(corpus, settings, embedded, monkeypatch):
    rag.ingest(corpus, settings=settings, progress=False)
    embedded.clear()
    touched = corpus / MIDJOURNEY_VENTUREBEAT
    stat = touched.stat()
    new_mtime = stat.st_mtime_ns + 5_000_000_000
    os.utime(touched, ns=(new_mtime, new_mtime))
    hashed = []
    original_hash = ingest_module.content_hash
    monkeypatch.setattr(ingest_module, "content_hash", lambda data: hashed.append(len(data)) or original_hash(data))

    report = rag.ingest(corpus, settings=settings, progress=False)

    # Content decides, not size and mtime (`cp -p` keeps both across an edit): every file is hashed.
    sizes = [(corpus / path).stat().st_size for path in (MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT)]
    assert sorted(hashed) == sorted(sizes)
    assert report.embedded_chunks == 0 and embedded == []
    assert sorted(report.unchanged) == sorted([MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT])
    files = assert_consistent(settings, corpus)
    assert files[MIDJOURNEY_VENTUREBEAT].mtime_ns == new_mtime

    again = rag.ingest(corpus, settings=settings, progress=False)

    assert again.embedded_chunks == 0 and embedded == []


def test_a_file_that_turns_empty_or_binary_leaves_the_index(corpus, settings):
    rag.ingest(corpus, settings=settings, progress=False)
    (corpus / MIDJOURNEY_GADGETS).write_bytes(b"")
    (corpus / MIDJOURNEY_VENTUREBEAT).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))

    report = rag.ingest(corpus, settings=settings, progress=False)

    reasons = dict(report.skipped)
    assert "empty" in reasons[MIDJOURNEY_GADGETS] and "binary" in reasons[MIDJOURNEY_VENTUREBEAT]
    assert sorted(report.removed) == sorted([MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT])
    assert report.total_files == report.total_chunks == 0
    assert assert_consistent(settings) == {}


@pytest.mark.parametrize("story", ["first ingest", "update"])
def test_a_run_that_dies_mid_batch_is_repaired_by_the_next(tmp_path, settings, monkeypatch, story):
    folder = tmp_path / "articles"
    names = write_articles(folder, 30)
    monkeypatch.setattr(ingest_module, "BATCH_CHUNKS", 4)
    if story == "update":
        rag.ingest(folder, settings=settings, progress=False)
        modified = names[::3]
        for name in modified:
            with open(folder / name, "a", encoding="utf-8") as f:
                f.write("\nA later paragraph: the vote was confirmed by the regional board on Friday.\n")
    upserted: list[list[str]] = []
    original_upsert = Index._upsert_vectors

    def dies_on_second_batch(self, chunks, vectors):
        upserted.append(sorted({c.file for c in chunks}))
        original_upsert(self, chunks, vectors)
        if len(upserted) == 2:
            raise RuntimeError("power cut")

    monkeypatch.setattr(Index, "_upsert_vectors", dies_on_second_batch)
    with pytest.raises(RuntimeError, match="power cut"):
        rag.ingest(folder, settings=settings, progress=False)
    written, half_written = upserted
    assert written and half_written and not set(written) & set(half_written)

    index = Index(settings)  # what the dead run left behind
    try:
        # Chroma's manifest, the source of truth, marks them pending; the cache never saw them published.
        pending = index.chroma.file_records(state="pending")
        assert sorted(r.path for r in pending) == half_written
        # Chroma already holds the half-written files' new vectors, which the cache knows nothing of.
        new_vectors = set(index.collection.get(where={"file": {"$in": half_written}}, include=[])["ids"])
        sqlite_ids = {row[0] for row in index.db.execute("SELECT id FROM chunks")}
        assert new_vectors and not new_vectors & sqlite_ids
    finally:
        index.close()

    monkeypatch.setattr(Index, "_upsert_vectors", original_upsert)
    report = rag.ingest(folder, settings=settings, progress=False)

    assert sorted(report.recovered) == half_written
    if story == "first ingest":
        assert sorted(report.unchanged) == written
        assert sorted(report.added) == sorted(set(names) - set(written))
        assert report.updated == []
    else:
        # the first batch was finished; the half-written files were wiped and come back as new
        assert sorted(report.unchanged) == sorted(set(names) - set(modified) | set(written))
        assert sorted(report.added) == half_written
        assert sorted(report.updated) == sorted(set(modified) - set(written) - set(half_written))
    assert report.removed == [] and report.total_files == 30
    files = assert_consistent(settings, folder)
    assert sorted(files) == names


def test_a_killed_ingest_process_is_repaired_by_the_next_run(tmp_path):
    folder = tmp_path / "articles"
    data_dir = tmp_path / "data"
    names = write_articles(folder, 40, sentences=28)
    # The child lowers the batch size itself, so several batches finish within a second or two.
    child = (
        "import importlib, sys\n"
        "from rag import ingest\n"
        "importlib.import_module('rag.ingest').BATCH_CHUNKS = 8\n"
        "ingest(sys.argv[1], progress=False, data_dir=sys.argv[2], index='kill')\n"
    )
    log = tmp_path / "child.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-c", child, str(folder), str(data_dir)], cwd=ROOT,
                                   stdout=output, stderr=subprocess.STDOUT)
    database = data_dir / "indexes" / "kill" / "index.sqlite"

    def states() -> dict[str, str]:
        if not database.exists():
            return {}
        try:
            with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
                return dict(db.execute("SELECT path, state FROM files"))
        except sqlite3.Error:
            return {}  # not created yet, or busy

    # Kill it once a batch is done, while a later batch is being written if the poll catches one.
    try:
        deadline = time.monotonic() + 120
        while True:
            seen = list(states().values())
            if seen.count("done") and ("pending" in seen or seen.count("done") >= 16):
                break
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the child indexed nothing in 120 s"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        reap(process)
    assert process.returncode == -signal.SIGKILL
    left = states()
    finished = sorted(path for path, state in left.items() if state == "done")
    half_written = sorted(path for path, state in left.items() if state == "pending")
    assert 0 < len(finished) < len(names), "the kill landed mid-run"

    settings = Settings.load(data_dir=data_dir, index="kill")
    report = rag.ingest(folder, settings=settings, progress=False)

    assert sorted(report.unchanged) == finished
    assert sorted(report.recovered) == half_written
    assert sorted(report.unchanged + report.added) == names
    assert report.updated == report.removed == report.skipped == []
    assert report.total_files == len(names)
    files = assert_consistent(settings, folder)
    assert sorted(files) == names
    assert rag.ingest(folder, settings=settings, progress=False).embedded_chunks == 0


def test_changing_the_chunk_size_is_refused_until_ingest_rebuilds(corpus, settings):
    import tiktoken

    encoding = tiktoken.get_encoding("cl100k_base")
    rag.ingest(corpus, settings=settings, progress=False)
    smaller = Settings.load(data_dir=settings.data_dir, chunk_size=128)
    wanted = {"embedder": embedder_id(smaller), "chunking": chunking_id(128, smaller.chunk_overlap)}
    index = Index(smaller)
    try:
        sizes_before = [len(encoding.encode(row[0])) for row in index.db.execute("SELECT text FROM chunks")]
        chunks_before = index.chunk_count()
        with pytest.raises(IndexMismatchError) as refused:
            index.check_signature(wanted)
    finally:
        index.close()
    assert max(sizes_before) > 140, "the old index has chunks the new size would not allow"
    message = str(refused.value)
    assert "sentence-cl100k-256-32" in message and "sentence-cl100k-128-32" in message
    assert "newsqa ingest" in message
    with pytest.raises(IndexMismatchError, match="sentence-cl100k-128-32"):
        Engine(smaller)

    report = rag.ingest(corpus, settings=smaller, progress=False)

    assert report.rebuilt_because and "sentence-cl100k-256-32" in report.rebuilt_because
    assert "sentence-cl100k-128-32" in report.rebuilt_because
    assert sorted(report.added) == sorted([MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT])
    assert report.embedded_chunks == report.total_chunks > chunks_before
    assert_consistent(smaller, corpus)
    index = Index(smaller)
    try:
        sizes = [len(encoding.encode(row[0])) for row in index.db.execute("SELECT text FROM chunks")]
        index.check_signature(wanted)  # no longer refused
        with pytest.raises(IndexMismatchError):
            index.check_signature({"embedder": embedder_id(settings), "chunking": chunking_id(256, 32)})
    finally:
        index.close()
    assert max(sizes) <= 128 + 4
    Engine(smaller)  # opens without complaint
    again = rag.ingest(corpus, settings=smaller, progress=False)
    assert again.rebuilt_because is None and again.embedded_chunks == 0


def test_reading_vectors_from_other_threads_survives_a_reload(settings, corpus):
    """A search after another process's write reloads the embedded Chroma client; counts and searches in
    other threads of the same index meanwhile must neither fail nor see a closed client."""
    import threading

    from rag.store import Index

    rag.ingest(corpus, settings=settings, progress=False)
    index = Index(settings)  # the only client of its Chroma folder: a reload really stops it
    index.sync()
    errors, stop = [], threading.Event()

    def count() -> None:
        while not stop.is_set():
            try:
                index.vector_count()
            except Exception as error:  # noqa: BLE001 - any failure is the finding
                errors.append(error)

    reloads = []
    reopen = index.chroma.reopen
    index.chroma.reopen = lambda: (reloads.append(1), reopen())
    counter = threading.Thread(target=count)
    counter.start()
    vector = np.zeros(384, dtype=np.float32)
    vector[0] = 1.0
    try:
        for n in range(40):
            # As if another process published a write: this one's embedded Chroma must reload.
            index.chroma.set_meta(generation=index.chroma.generation() + 1)
            index._checked = 0.0
            index.dense_search(vector, 3)
    finally:
        stop.set()
        counter.join()
        index.close()
    assert not errors, errors[:3]
    assert len(reloads) == 40


def test_closing_an_index_closes_every_thread_s_connection(settings, corpus):
    import threading

    from rag.store import Index

    rag.ingest(corpus, settings=settings, progress=False)
    index = Index(settings)
    readers = []

    def read() -> None:
        index.chunk_count()
        readers.append(index._readers.db)

    for _ in range(3):
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
    index.close()
    for reader in readers:
        with pytest.raises(sqlite3.ProgrammingError):
            reader.execute("SELECT 1")


def test_a_large_index_leaves_a_question_s_commonest_words_out_of_the_keyword_search(tmp_path, settings, monkeypatch):
    from rag import store

    folder = tmp_path / "articles"
    write_articles(folder, 12)
    (folder / "rare.txt").write_text("Officials said the Zorblaxium plant would install turbines.\n", encoding="utf-8")
    rag.ingest(folder, settings=settings, progress=False)
    index = Index(settings)
    words = ["officials", "said", "zorblaxium", "plant", "installing", "turbines"]
    question = "Officials said what about the Zorblaxium plant installing turbines?"
    try:
        assert index._affordable(words) == words, "a small corpus keeps every word"
        everything = index.lexical_search(question, 50)
        monkeypatch.setattr(store, "POSTINGS_BUDGET", 10)  # as if the corpus were a million chunks
        monkeypatch.setattr(store, "PRUNED_POSTINGS", 3)

        counts = index._document_counts(words)
        kept = index._affordable(words)
        pruned = index.lexical_search(question, 50)

        assert counts == {"officials": 13, "said": 13, "zorblaxium": 1, "plant": 1, "installing": 1, "turbines": 1}
        assert kept == ["zorblaxium", "plant", "installing"], "the rarest, up to 3 matches; 'installing' as 'install'"
        assert len(pruned) == 1 < len(everything) and pruned[0][0] == everything[0][0]
        assert index.chunks([pruned[0][0]])[pruned[0][0]].file == "rare.txt"
        monkeypatch.setattr(store, "PRUNED_POSTINGS", 0)
        assert index._affordable(["said", "officials", "zorblaxium"]) == ["zorblaxium"], "the rarest always stays"
    finally:
        index.close()


def test_an_index_from_before_chroma_held_the_manifest_is_adopted_not_rebuilt(corpus, settings, embedded):
    rag.ingest(corpus, settings=settings, progress=False)
    index = Index(settings)
    try:  # the layout of earlier versions: the manifest in SQLite only, no generation anywhere
        index.chroma._client.delete_collection(f"{index.chroma.name}-files")
        with index.db:
            index.db.execute("DELETE FROM meta WHERE key IN ('store', 'synced_generation')")
            index.db.execute("UPDATE files SET prefix='', generation=0")
        before = sorted(index.db.execute("SELECT id, text FROM chunks"))
    finally:
        index.close()
    embedded.clear()

    report = rag.ingest(corpus, settings=settings, progress=False)

    assert embedded == [] and report.embedded_chunks == 0 and len(report.unchanged) == 2
    files = assert_consistent(settings, corpus)
    assert all(record.prefix for record in files.values())
    index = Index(settings)
    try:
        assert sorted(index.db.execute("SELECT id, text FROM chunks")) == before
    finally:
        index.close()
