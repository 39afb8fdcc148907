"""Ingestion speed: the whole pipeline beside raw embedding of the same chunks, re-ingestion, memory.

    python bench/ingest.py                         # corpus-609 from ../shared/newsqa
    python bench/ingest.py --corpus DIR --limit 100

Runs on a copy of the corpus in a temporary folder, so it can change one article.
Each ingest runs in a child process, so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "newsqa"

CHILD = """
import json, sys, resource
from rag import ingest
r = ingest(sys.argv[1], data_dir=sys.argv[2], progress=False)
print(json.dumps({"seconds": r.seconds, "embedded": r.embedded_chunks, "chunks": r.total_chunks,
                  "files": r.total_files, "skipped": len(r.skipped), "updated": len(r.updated),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_ingest(corpus: Path, data_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(data_dir)], capture_output=True,
                         text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def raw_embedding_seconds(data_dir: Path) -> tuple[float, int]:
    """Seconds to embed every chunk text in the index with the bare embedder, no pipeline around it."""
    from rag import Settings
    from rag.embeddings import MiniLMEmbedding
    from rag.store import Index

    index = Index(Settings.load(data_dir=data_dir))
    ids = [row[0] for row in index.db.execute("SELECT id FROM chunks")]
    texts = [chunk.indexed_text() for chunk in index.chunks(ids).values()]
    embedder = MiniLMEmbedding()
    started = time.perf_counter()
    embedder.embed(texts)
    return time.perf_counter() - started, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus-609" / "corpus")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"No corpus at {args.corpus}; pass --corpus.")

    with tempfile.TemporaryDirectory() as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        files = sorted(args.corpus.glob("*.*"))[: args.limit or None]
        corpus.mkdir()
        for f in files:
            shutil.copy(f, corpus / f.name)

        first = run_ingest(corpus, data)
        raw_s, n = raw_embedding_seconds(data)
        with open(corpus / files[len(files) // 2].name, "a", encoding="utf-8") as f:
            f.write("\nA correction was appended to this article.\n")
        changed = run_ingest(corpus, data)
        unchanged = run_ingest(corpus, data)

    overhead = first["seconds"] / raw_s - 1
    print(f"# ingest benchmark: {first['files']} articles from {args.corpus}, {first['chunks']} chunks; "
          f"2-core machine, one child process per ingest, python {sys.version.split()[0]}")
    print(f"full ingest:                {first['seconds']:.1f} s, {first['chunks'] / first['seconds']:.1f} chunks/s, "
          f"peak RSS {first['peak_mb']:.0f} MB")
    print(f"raw embedding, same chunks: {raw_s:.1f} s, {n / raw_s:.1f} chunks/s")
    print(f"pipeline overhead:          {overhead * 100:.1f} % (ingest time / raw embedding time - 1; target <= 10 %)")
    print(f"one article changed:        {changed['seconds']:.2f} s, {changed['embedded']} chunks re-embedded, "
          f"{changed['updated']} file updated")
    print(f"nothing changed:            {unchanged['seconds']:.2f} s, {unchanged['embedded']} chunks embedded")
    print(f"bench process peak RSS:     {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
