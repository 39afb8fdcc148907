"""Scale: load time, disk, memory, cache sync and retrieval speed and quality of one index grown to a million chunks.

    python bench/scale.py                                  # 100k, 300k and 1M chunks in a temporary folder
    python bench/scale.py --sizes 2000,5000 --questions 50 # a quick check
    python bench/scale.py --keep DIR                       # keep the index (and the cached real vectors) in DIR

It starts a `chroma run` server on 127.0.0.1 and grows one index through the store's own
write path (Index.write), from one size to the next, measuring at each size:

  load_s, chunks_per_s  seconds Index.write took for the chunks added to reach the size, and their rate;
                        making the synthetic chunks is timed apart (the "generated in" line)
  disk_mb               the Chroma server's data folder plus the client's local data folder
  server_rss_mb         the server's resident memory (its process tree), after the client's queries
  client_rss_mb         a fresh app process's resident memory after opening the index and running the queries
  sync_s                seconds that fresh process, with an empty data folder of its own, takes to open the
                        index and bring its local cache (SQLite, BM25) up to date from Chroma with
                        Index.sync(); null while Index has no sync(), and the client then reads the
                        loading process's data folder
  p50_ms, p95_ms, hits@10  per retrieval mode (dense, bm25, fused, news-aware), over the planted questions,
                        in that fresh process; first_ms is its first query (caches cold)

The chunks are synthetic, recombined from corpus-609 in ../shared/newsqa: each article is real
sentences shuffled, with invented people, organisations, publishers and dates, in 8-10 chunks of
about 200 words, as real articles there have (1,750 words on average). Their vectors are not
embedded: MiniLM manages 10-20 chunks/s on 2 cores, a day or more for a million. Each chunk's
vector mixes 2-3 real MiniLM vectors of the passages its sentences came from, plus noise.

The planted questions are answered by one chunk each: an invented fact (a unique name, a date,
a number, an event) put into a chunk of the first size, whose real text is embedded with the real
embedder, and asked about in other words. The same questions are asked at every size, so
Hits@10 at 1M compares with 100k. Dense retrieval alone finds few of them even at the smallest
size: one sentence barely moves the vector of a 200-word chunk, and invented names mean nothing to
MiniLM; that is what the keyword side is for. The last line printed is one JSON object keyed by size.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout, installed or not
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from rag import Settings  # noqa: E402
from rag.chunking import Chunk, chunking_id  # noqa: E402
from rag.corpus import parse_article, read_bytes, scan_folder  # noqa: E402
from rag.embeddings import embedder_id, get_embedder  # noqa: E402
from rag.retrieval import HybridRetriever  # noqa: E402
from rag.store import FileRecord, Index  # noqa: E402
from rag.text import STOPWORDS, split_sentences  # noqa: E402

SHARED = ROOT.parent / "shared" / "newsqa"
CORPUS = SHARED / "corpus-609" / "corpus"
INDEX_NAME = "scale"
MODES = {"dense": "dense", "bm25": "lexical", "fused": "fused", "news-aware": "hybrid"}
WRITE_BATCH = 4000  # chunks per Index.write; the store upserts up to 4096 vectors at a time
CHUNKS_PER_ARTICLE = (8, 10)
WORDS_PER_CHUNK = (170, 230)
POOL_PASSAGES_PER_ARTICLE = 3  # real vectors: about 1,800 passages, 1.5 minutes of embedding, cached
NOISE = 0.3  # norm of the Gaussian noise added to a unit mixture of real vectors

FIRST_NAMES = ("Ada Bram Cleo Dario Elin Farah Gus Hana Ivo Jana Kofi Lena Milo Nadia Otto Pia Rafe Sana Tomas "
               "Uma Vera Wren Yara Anika Boris Carmen Dev Esme Felix Greta Hugo Iris Jonas Kira Luca Maren Nico "
               "Olga Pavel Rosa Soren Talia Ugo Wanda Yusuf").split()
# Invented surnames; the planted ones alone hold q, x or z, so no other name can match them.
SYLLABLES = ("bar bel cor dan del dor fen gar hal har kel lan lor mar mel mor nor pel ran rel ros sal sen tal tor "
             "val ven wen bri cal dru fal gan hol kin lin mon pen sim ter vin").split()
PLANTED_SYLLABLES = "quor xan zeb qui xel zor vex quin zil oxa baz kez roq tix".split()
ORG_KINDS = "Holdings Group Labs Partners Foundation Systems Energy Capital Logistics Media Institute Council".split()
PAPERS = "Herald Ledger Courier Gazette Tribune Post Observer Chronicle Dispatch Times Record Sentinel Review".split()
THINGS = ("solar ferries", "floating seed vaults", "glass observatories", "rooftop orchards", "tidal batteries",
          "night libraries", "rail kiosks", "cloud-seeding drones", "salt-water greenhouses", "mobile clinics",
          "wind barges", "bamboo footbridges")
VERBS = ("build", "open", "retire", "donate", "lease", "launch", "restore", "recall")
MONTHS = ("January February March April May June July August September October November December").split()
# Two or more capitalised words: the names in real sentences that invented ones replace.
_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")


# -- the real corpus: sentences to recombine, and real vectors to mix ------------------------------------


@dataclass(frozen=True)
class Template:
    """A real sentence with its names cut out: ``parts`` around the gaps, ``keys`` pick each gap's name."""

    parts: tuple[str, ...]
    keys: tuple[int, ...]

    def fill(self, cast: list[str]) -> str:
        out = [self.parts[0]]
        for key, part in zip(self.keys, self.parts[1:]):
            out += [cast[key % len(cast)], part]
        return "".join(out)


@dataclass
class World:
    """What synthetic articles are made of: each real article's sentence templates and the rows of its
    passages in ``vectors``, and the invented publishers."""

    templates: list[list[Template]]
    pool_rows: list[list[int]]
    vectors: np.ndarray
    publishers: list[str]


def template_of(sentence: str) -> Template:
    parts, keys, at = [], [], 0
    for match in _NAME_RUN.finditer(sentence):
        name = match.group(0).split()
        if name[0].lower() in STOPWORDS:  # "The Israelis": the article word is no name
            continue
        parts.append(sentence[at : match.start()])
        keys.append(int.from_bytes(hashlib.blake2b(match.group(0).encode(), digest_size=4).digest(), "big"))
        at = match.end()
    parts.append(sentence[at:])
    return Template(tuple(parts), tuple(keys))


def read_world(corpus: Path, data_dir: Path, seed: int) -> World:
    """Corpus-609's sentences as templates, and real MiniLM vectors of its passages (cached in ``data_dir``)."""
    files, _ = scan_folder(corpus)
    templates, passages, pool_rows = [], [], []
    for file in files:
        sentences = [s for s in split_sentences(parse_article(file.path, read_bytes(file, 5_000_000)).text)
                     if 4 <= len(s.split()) <= 80]
        if not sentences:
            continue
        templates.append([template_of(s) for s in sentences])
        own = [" ".join(group) for group in group_by_words(sentences, 200)][:POOL_PASSAGES_PER_ARTICLE]
        pool_rows.append(list(range(len(passages), len(passages) + len(own))))
        passages += own
    return World(templates, pool_rows, pool_vectors(passages, data_dir), invented_publishers(seed))


def group_by_words(sentences: list[str], words: int) -> list[list[str]]:
    groups, current, count = [], [], 0
    for sentence in sentences:
        current.append(sentence)
        count += len(sentence.split())
        if count >= words:
            groups.append(current)
            current, count = [], 0
    return groups + ([current] if current else [])


def pool_vectors(passages: list[str], data_dir: Path) -> np.ndarray:
    from tqdm import tqdm

    digest = hashlib.sha256("\0".join(passages).encode()).hexdigest()[:16]
    cache = data_dir / f"pool-{digest}.npy"
    if cache.exists():
        return np.load(cache)
    embedder = get_embedder(Settings.load(data_dir=data_dir))
    rows = [embedder.embed(passages[begin : begin + 64])
            for begin in tqdm(range(0, len(passages), 64), desc="Embedding the real passages", unit="x64",
                              file=sys.stderr, dynamic_ncols=True)]
    vectors = np.concatenate(rows).astype(np.float32)
    np.save(cache, vectors)
    return vectors


# -- the invented world: names, publishers, planted facts ----------------------------------------------


def surname(rng: random.Random, syllables: list[str], count: int) -> str:
    return "".join(rng.choice(syllables) for _ in range(count)).capitalize()


def invented_publishers(seed: int, count: int = 200) -> list[str]:
    rng = random.Random(f"{seed}:publishers")
    names: set[str] = set()
    while len(names) < count:
        names.add(f"The {surname(rng, SYLLABLES, 2)} {rng.choice(PAPERS)}")
    return sorted(names)


def invented_cast(rng: random.Random) -> list[str]:
    people = [f"{rng.choice(FIRST_NAMES)} {surname(rng, SYLLABLES, rng.randint(2, 3))}" for _ in range(3)]
    organisations = [f"{surname(rng, SYLLABLES, 2)} {rng.choice(ORG_KINDS)}" for _ in range(2)]
    return people + organisations


@dataclass(frozen=True)
class Plant:
    """An invented fact, and a question about it in other words; the date comes from its article."""

    person: str
    organisation: str
    verb: str
    number: int
    thing: str
    place: str
    asks: int  # which way the question is put

    def fact(self, day: datetime) -> str:
        return (f"On {MONTHS[day.month - 1]} {day.day}, {self.person} of {self.organisation} announced that it "
                f"would {self.verb} {self.number} {self.thing} in {self.place}.")

    def question(self, day: datetime, source: str) -> str:
        month = MONTHS[day.month - 1]
        return (f"What did {self.person} announce in {month} {day.year}?",
                f"How many {self.thing} did {self.person} say {self.organisation} would {self.verb}?",
                f"According to {source}, what did {self.person} announce on {month} {day.day}?")[self.asks]


def plan_plants(count: int, seed: int) -> list[Plant]:
    rng = random.Random(f"{seed}:plants")
    people: set[str] = set()
    organisations: set[str] = set()
    plants = []
    while len(plants) < count:
        person = f"{rng.choice(FIRST_NAMES)} {surname(rng, PLANTED_SYLLABLES, 3)}"
        organisation = f"{surname(rng, PLANTED_SYLLABLES, 2)} {rng.choice(ORG_KINDS)}"
        if person in people or organisation in organisations:
            continue
        people.add(person)
        organisations.add(organisation)
        plants.append(Plant(person, organisation, rng.choice(VERBS), rng.randint(12, 480), rng.choice(THINGS),
                            f"Port {surname(rng, SYLLABLES, 2)}", len(plants) % 3))
    return plants


# -- synthetic articles --------------------------------------------------------------------------------


@dataclass
class Article:
    number: int
    record: FileRecord
    chunks: list[Chunk]
    mixes: list[list[int]]  # per chunk, the pool rows its vector mixes
    planted: int = -1  # the chunk holding the planted fact
    question: str = ""


def synthetic_article(number: int, world: World, seed: int, most_chunks: int, plant: Plant | None) -> Article:
    """Article ``number``: the same for the same seed, whatever else is generated."""
    rng = random.Random(f"{seed}:{number}")
    parents = rng.sample(range(len(world.templates)), 3)
    cast = invented_cast(rng)
    source = rng.choice(world.publishers)
    day = datetime(2019, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(6 * 365),
                                                                seconds=rng.randrange(86400))
    chunk_count = min(rng.randint(*CHUNKS_PER_ARTICLE), most_chunks)
    planted = rng.randrange(chunk_count) if plant else -1
    stack = [t for p in parents for t in world.templates[p]]
    rng.shuffle(stack)

    def sentence() -> str:
        if stack:
            return stack.pop().fill(cast)
        return rng.choice(rng.choice(world.templates)).fill(cast)

    title = " ".join(sentence().split()[:12]).rstrip(".,;:")
    paragraphs = []
    for position in range(chunk_count):
        target, words, sentences = rng.randint(*WORDS_PER_CHUNK), 0, []
        if position == planted:
            sentences.append(plant.fact(day))
        while words < target:
            sentences.append(sentence())
            words += len(sentences[-1].split())
        paragraphs.append(" ".join(sentences))
    text = "\n\n".join(paragraphs)
    path = f"synthetic/{number:07d}.txt"
    url = f"https://{source.lower().replace(' ', '-')}.example/{number}"
    published = day.isoformat(timespec="seconds")
    data = f"Title: {title}\nSource: {source}\nPublished: {published}\nURL: {url}\n\n{text}\n".encode()
    sha256 = hashlib.sha256(data).hexdigest()
    prefix = hashlib.sha256(f"{path}\0{sha256}".encode()).hexdigest()[:20]  # as rag/chunking.py makes ids
    chunks, start = [], 0
    for position, paragraph in enumerate(paragraphs):
        chunks.append(Chunk(f"{prefix}:{position}", path, position, paragraph, start, start + len(paragraph),
                            title, source, published, url))
        start += len(paragraph) + 2
    rows = [r for p in parents for r in world.pool_rows[p]]
    mixes = [rng.sample(rows, min(len(rows), rng.randint(2, 3))) for _ in chunks]
    record = FileRecord(path, sha256, len(data), 0, len(chunks), "done", title)
    return Article(number, record, chunks, mixes, planted, plant.question(day, source) if plant else "")


def mixed_vectors(mixes: list[list[int]], pool: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per chunk, a random mixture of its pool vectors plus noise, as a unit vector."""
    out = np.empty((len(mixes), pool.shape[1]), dtype=np.float32)
    for i, rows in enumerate(mixes):
        weights = rng.uniform(0.3, 1.0, len(rows)).astype(np.float32)
        out[i] = weights @ pool[rows]
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    out += rng.normal(0.0, NOISE / np.sqrt(pool.shape[1]), out.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@dataclass
class Growth:
    """How far the index has grown, and the planted questions met on the way."""

    chunks: int = 0
    articles: int = 0
    questions: list[dict] = field(default_factory=list)


def grow(index: Index, world: World, growth: Growth, target: int, plants: dict[int, Plant], seed: int,
         embedder) -> tuple[float, float]:
    """Writes synthetic articles until the index holds ``target`` chunks; seconds writing, seconds generating."""
    from tqdm import tqdm

    write_s = generate_s = 0.0
    bar = tqdm(total=target - growth.chunks, desc=f"Growing to {target:,}", unit="chunk", file=sys.stderr,
               dynamic_ncols=True)
    with lease(index):
        while growth.chunks < target:
            started = time.perf_counter()
            articles, count = [], 0
            while count < WRITE_BATCH and growth.chunks + count < target:
                article = synthetic_article(growth.articles, world, seed, target - growth.chunks - count,
                                            plants.get(growth.articles))
                articles.append(article)
                growth.articles += 1
                count += len(article.chunks)
            vectors = batch_vectors(articles, world, seed, embedder, growth.questions)
            batch = [(a.record, a.chunks) for a in articles]
            generate_s += time.perf_counter() - started
            started = time.perf_counter()
            index.write(batch, vectors, replace=[])
            write_s += time.perf_counter() - started
            growth.chunks += count
            bar.update(count)
    bar.close()
    return write_s, generate_s


def lease(index: Index):
    """The store's write lease, where it has one."""
    return index.writing() if hasattr(index, "writing") else nullcontext()


def batch_vectors(articles: list[Article], world: World, seed: int, embedder, questions: list[dict]) -> np.ndarray:
    """The mixed vectors of the articles' chunks in order, the planted chunks' embedded from their real text."""
    rng = np.random.default_rng([seed, articles[0].number])
    vectors = mixed_vectors([m for a in articles for m in a.mixes], world.vectors, rng)
    at = 0
    for article in articles:
        if article.planted >= 0:
            chunk = article.chunks[article.planted]
            vectors[at + article.planted] = embedder.embed([chunk.indexed_text()])[0]
            questions.append({"question": article.question, "answer": chunk.id, "file": chunk.file})
        at += len(article.chunks)
    return vectors


# -- the server and the measurements -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def chroma_server(path: Path, log: Path):
    """A `chroma run` server on 127.0.0.1 keeping its data in ``path``; yields its URL and process. Stopped
    on the way out, however that is."""
    chroma = shutil.which("chroma")
    if chroma is None:
        sys.exit("scale: the `chroma` command is not installed (pip install chromadb).")
    port = free_port()
    with open(log, "ab") as out:
        # Its own session: Ctrl-C reaches us alone, and we stop the server after the index is closed.
        process = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_heartbeat(f"{url}/api/v2/heartbeat", process, log)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_heartbeat(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"scale: `chroma run` exited with code {process.returncode}; see {log}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:  # not listening yet
            time.sleep(0.3)
    sys.exit(f"scale: `chroma run` did not answer {url} within {timeout:.0f} s; see {log}")


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants (a launcher may run the server as its child)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = (Path("/proc") / str(current) / "status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def disk_mb(*folders: Path) -> float:
    used = 0
    for folder in folders:
        for dirpath, _, filenames in os.walk(folder):
            for name in filenames:
                try:
                    used += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
                except OSError:
                    pass
    return used / 1e6


# -- the fresh app process ------------------------------------------------------------------------------


def run_client(spec: dict) -> None:
    """In a fresh process: open (and sync) the index, ask every planted question in every mode, print a JSON line."""
    started = time.perf_counter()
    settings = Settings.load(data_dir=spec["data_dir"], chroma_url=spec["url"], index=INDEX_NAME)
    index = Index(settings)
    sync_s = None
    if hasattr(index, "sync"):
        index.sync()
        sync_s = time.perf_counter() - started
    synced_rss = rss_mb(os.getpid())
    embedder = get_embedder(settings)
    embedder.embed(["warm-up"])
    retriever = HybridRetriever(index, embedder, settings)
    questions = [json.loads(line) for line in Path(spec["questions"]).read_text().splitlines()]
    modes = {}
    for name, mode in MODES.items():
        began = time.perf_counter()
        retriever.retrieve("What did the company announce last year?", k=10, mode=mode)
        first_ms = (time.perf_counter() - began) * 1000
        seconds, hits = [], 0
        for q in questions:
            began = time.perf_counter()
            results = retriever.retrieve(q["question"], k=10, mode=mode)
            seconds.append(time.perf_counter() - began)
            hits += q["answer"] in [r.chunk.id for r in results[:10]]
        modes[name] = {"p50_ms": statistics.median(seconds) * 1000,
                       "p95_ms": float(np.percentile(seconds, 95)) * 1000,
                       "hits@10": hits / len(questions), "first_ms": first_ms}
    index.close()
    print(json.dumps({"sync_s": sync_s, "client_rss_mb": rss_mb(os.getpid()), "client_rss_synced_mb": synced_rss,
                      **modes}))


def measure_client(data_dir: Path, url: str, questions: Path) -> dict:
    spec = {"data_dir": str(data_dir), "url": url, "questions": str(questions)}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_client", json.dumps(spec)],
                          stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"scale: the client process failed (exit {done.returncode}); its error is above.")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run --------------------------------------------------------------------------------------------


def measure(sizes: list[int], questions: int, seed: int, data_dir: Path) -> tuple[dict, str]:
    """Grows the index through ``sizes`` and measures each; the results by size and a line saying how."""
    import chromadb

    for old in ("chroma", "loader", "client", "questions.jsonl", "chroma.log"):
        path = data_dir / old
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    world = read_world(CORPUS, data_dir, seed)
    plants = plan_plants(questions, seed)
    first_articles = sizes[0] // CHUNKS_PER_ARTICLE[1]  # all of them fit in the first size
    planted_at = {i * first_articles // questions: plant for i, plant in enumerate(plants)}
    questions_file = data_dir / "questions.jsonl"
    results: dict[str, dict] = {}
    generated_s = 0.0
    with chroma_server(data_dir / "chroma", data_dir / "chroma.log") as (url, server):
        settings = Settings.load(data_dir=data_dir / "loader", chroma_url=url, index=INDEX_NAME)
        index = Index(settings)
        embedder = get_embedder(settings)
        with lease(index):
            index.set_meta(signature=json.dumps({"embedder": embedder_id(settings), "chunking": chunking_id(
                settings.chunk_size, settings.chunk_overlap)}, sort_keys=True))
        growth = Growth()
        for size in sizes:
            added = size - growth.chunks
            write_s, generate_s = grow(index, world, growth, size, planted_at, seed, embedder)
            generated_s += generate_s
            if not questions_file.exists():
                questions_file.write_text("".join(json.dumps(q) + "\n" for q in growth.questions))
            client_dir = data_dir / "client" / str(size)
            syncs = hasattr(Index, "sync")
            client = measure_client(client_dir if syncs else settings.data_dir, url, questions_file)
            row = {mode: {key: client[mode][key] for key in ("p50_ms", "p95_ms", "hits@10", "first_ms")}
                   for mode in MODES}
            row.update(load_s=write_s, chunks_per_s=added / write_s,
                       disk_mb=disk_mb(data_dir / "chroma", client_dir if syncs else settings.data_dir),
                       server_rss_mb=rss_mb(server.pid), client_rss_mb=client["client_rss_mb"],
                       client_rss_synced_mb=client["client_rss_synced_mb"], sync_s=client["sync_s"],
                       vectors=index.vector_count())
            results[str(size)] = row
            print(f"scale: {size:,} chunks measured", file=sys.stderr, flush=True)
        index.close()
    how = (f"# bench/scale.py --sizes {','.join(map(str, sizes))} --questions {questions} --seed {seed}: "
           f"{os.cpu_count()} cores, chroma {chromadb.__version__}, {growth.articles:,} synthetic articles "
           f"(generated in {generated_s:.0f} s), {len(growth.questions)} planted questions"
           + ("" if hasattr(Index, "sync") else "; Index has no sync(): the client read the loader's cache"))
    return results, how


def print_tables(results: dict) -> None:
    print("| size | load_s | chunks/s | disk MB | server RSS MB | client RSS MB (after sync) | sync_s | vectors |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, r in results.items():
        sync = "-" if r["sync_s"] is None else f"{r['sync_s']:.1f}"
        print(f"| {int(size):,} | {r['load_s']:.1f} | {r['chunks_per_s']:.0f} | {r['disk_mb']:.0f} | "
              f"{r['server_rss_mb']:.0f} | {r['client_rss_mb']:.0f} ({r['client_rss_synced_mb']:.0f}) | {sync} | "
              f"{r['vectors']:,} |")
    print()
    print("| size | retrieval | p50 ms | p95 ms | first ms | hits@10 |")
    print("|---:|---|---:|---:|---:|---:|")
    for size, r in results.items():
        for mode in MODES:
            m = r[mode]
            print(f"| {int(size):,} | {mode} | {m['p50_ms']:.0f} | {m['p95_ms']:.0f} | {m['first_ms']:.0f} | "
                  f"{m['hits@10']:.3f} |")


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or sizes != sorted(set(sizes)) or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive chunk counts, growing: 100000,300000,1000000")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=[100_000, 300_000, 1_000_000],
                        help="chunk counts to grow the index through and measure at (default 100000,300000,1000000)")
    parser.add_argument("--questions", type=int, default=200, help="planted questions (default 200)")
    parser.add_argument("--seed", type=int, default=0,
                        help="the same seed makes the same articles, vectors and questions (default 0)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build in DIR and keep it: the server's data, the caches, the questions; the real "
                             "vectors cached there are reused by the next run, the index is built anew "
                             "(default: a temporary folder, removed)")
    parser.add_argument("--_client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._client:
        run_client(json.loads(args._client))
        return
    if not CORPUS.is_dir():
        sys.exit(f"scale: no corpus at {CORPUS}; the synthetic articles are made from corpus-609's sentences.")
    if not 1 <= args.questions <= args.sizes[0] // CHUNKS_PER_ARTICLE[1]:
        sys.exit(f"scale: --questions must be 1 to {args.sizes[0] // CHUNKS_PER_ARTICLE[1]} (one per article of the "
                 "first size, where they are planted).")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the server is stopped on the way out
    data_dir = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="newsqa-scale-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        results, how = measure(args.sizes, args.questions, args.seed, data_dir)
    except KeyboardInterrupt:
        sys.exit("scale: interrupted; the Chroma server is stopped.")
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"{how}; {time.perf_counter() - started:.0f} s in all")
    print_tables(results)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
