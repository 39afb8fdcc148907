"""The abstention trade-off before any LLM runs: unanswerable questions refused against answerable ones refused.

    python bench/abstention.py                    # public pack over corpus-609, and the seeds pack
    python bench/abstention.py --pack DIR [--corpus DIR]

For each `min_relevance` (the best dense similarity under which newsqa abstains),
with and without the evidence check (a publisher the corpus lacks, a name no
article mentions), it prints the share of unanswerable questions refused (recall)
and of answerable ones wrongly refused. The LLM's own refusals come on top of
these; `newsqa eval` measures the whole.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.pack import load_pack  # noqa: E402
from rag import Settings, ingest  # noqa: E402
from rag.embeddings import get_embedder  # noqa: E402
from rag.retrieval import HybridRetriever, evidence_gaps  # noqa: E402
from rag.store import Index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "newsqa"
THRESHOLDS = (0.0, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)


def measure(pack_dir: Path, corpus: Path | None, index_name: str) -> None:
    pack = load_pack(pack_dir, corpus)
    settings = Settings.load(index=index_name)
    report = ingest(pack.corpus, settings=settings, progress=False)
    index = Index(settings)
    retriever = HybridRetriever(index, get_embedder(settings), settings)
    rows = []
    for q in pack.questions:
        query = retriever.analyse(q.question)
        retrieved = retriever.retrieve(q.question, query=query)
        best = max((r.dense for r in retrieved if r.dense is not None), default=0.0)
        rows.append((q.answerable, bool(evidence_gaps(query, index)), best))
    null = [r for r in rows if not r[0]]
    answerable = [r for r in rows if r[0]]
    print(f"\n# {pack_dir.name}: {len(null)} unanswerable and {len(answerable)} answerable questions over "
          f"{pack.corpus} ({report.total_files} files)")
    print("| min_relevance | evidence check | unanswerable refused (recall) | answerable refused |")
    print("|---|---|---|---|")
    for threshold in THRESHOLDS:
        for check in (False, True):
            def refused(row):
                return (check and row[1]) or row[2] < threshold
            recall = sum(map(refused, null)) / max(len(null), 1)
            wrong = sum(map(refused, answerable)) / max(len(answerable), 1)
            default = " (default)" if threshold == Settings.min_relevance and check else ""
            print(f"| {threshold:g}{default} | {'on' if check else 'off'} | {recall:.2f} | {wrong:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pack", type=Path, help="a pack folder (default: the public pack and the seeds pack)")
    parser.add_argument("--corpus", type=Path, help="answer from this corpus instead of the pack's")
    args = parser.parse_args()
    if args.pack:
        measure(args.pack, args.corpus, f"bench-abstention-{args.pack.name}")
        return
    if (SHARED / "public" / "qa.jsonl").exists():
        measure(SHARED / "public", SHARED / "corpus-609" / "corpus", "bench-retrieval")
    measure(ROOT / "eval" / "seeds", None, "bench-abstention-seeds")


if __name__ == "__main__":
    main()
