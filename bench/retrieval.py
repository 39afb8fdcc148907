"""Retrieval quality and latency of dense, BM25, plain fused and news-aware retrieval on a gold Q&A pack.

    python bench/retrieval.py                     # public pack over corpus-609 from ../shared/newsqa
    python bench/retrieval.py --grid              # also sweep the news-aware weights, one at a time
    python bench/retrieval.py --corpus DIR --qa FILE   # a pack's qa.jsonl; its evidence.jsonl gives the facts

It ingests the corpus into its own index (incrementally, so later runs reuse it)
and prints one table row per retrieval mode, scored on the top-k chunks as
`newsqa eval` scores them. Null questions are left out, as in the MultiHop-RAG
paper; the last line says how many of them the evidence check refuses, and how
many answerable ones it wrongly refuses.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout, installed or not

from eval.metrics import chunk_hit_at, chunk_mrr_at, file_all_gold_at, file_hit_at  # noqa: E402
from eval.pack import Question, load_pack  # noqa: E402
from rag import Settings, ingest  # noqa: E402
from rag.embeddings import get_embedder  # noqa: E402
from rag.retrieval import HybridRetriever, evidence_gaps  # noqa: E402
from rag.store import Index  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "newsqa"
GRID = {
    "dense_weight": [(0.1, 0.9), (0.3, 0.7)],  # with lexical_weight
    "publisher_boost": [0.0, 0.1, 0.3],
    "part_leader_boost": [0.0, 0.2],
    "part_candidates": [20, 30],
    "same_article_decay": [0.8, 1.0],
    "date_boost": [0.0, 0.4],
}


def score(retriever: HybridRetriever, questions: list[Question], mode: str, k: int) -> dict:
    rows, seconds = [], []
    for q in questions:
        started = time.perf_counter()
        results = retriever.retrieve(q.question, k=k, mode=mode)
        seconds.append(time.perf_counter() - started)
        files = [r.file for r in results]
        texts = [r.text for r in results]
        gold, facts = list(q.sources), list(q.facts)
        rows.append({
            "all_gold_files": file_all_gold_at(files, gold, k),
            "file_hit@4": file_hit_at(files, gold, 4),
            "hits@4": chunk_hit_at(texts, facts, 4),
            "hits@10": chunk_hit_at(texts, facts, 10),
            "mrr@10": chunk_mrr_at(texts, facts, 10),
        })
    result = {key: statistics.mean(r[key] for r in rows) for key in rows[0]}
    result["p50_ms"] = statistics.median(seconds) * 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus-609" / "corpus")
    parser.add_argument("--qa", type=Path, default=SHARED / "public" / "qa.jsonl")
    parser.add_argument("--index", default="bench-retrieval")
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--grid", action="store_true", help="sweep the news-aware weights, one at a time")
    args = parser.parse_args()
    if not args.qa.exists():
        sys.exit(f"No gold pack at {args.qa}; pass --qa and --corpus.")

    overrides = {"index": f"{args.index}-{args.chunk_size}" if args.chunk_size else args.index}
    if args.chunk_size:
        overrides["chunk_size"] = args.chunk_size
    settings = Settings.load(**overrides)
    report = ingest(args.corpus, settings=settings)
    print(report.summary(), file=sys.stderr)
    index, embedder = Index(settings), get_embedder(settings)
    everything = load_pack(args.qa, args.corpus).questions
    questions = [q for q in everything if q.sources]
    embedder.embed(["warm-up"])

    print(f"# {len(questions)} answerable questions of {args.qa.name} over {args.corpus} "
          f"({report.total_files} files, {report.total_chunks} chunks of {settings.chunk_size} tokens), "
          f"top {args.k} chunks")
    runs = [("dense", "dense", settings), ("bm25", "lexical", settings),
            (f"fused {settings.dense_weight}/{settings.lexical_weight}", "fused", settings),
            ("news-aware (default)", "hybrid", settings)]
    if args.grid:
        for name, values in GRID.items():
            for value in values:
                change = ({"dense_weight": value[0], "lexical_weight": value[1]} if name == "dense_weight"
                          else {name: value})
                label = ", ".join(f"{key}={val}" for key, val in change.items())
                runs.append((f"news-aware, {label}", "hybrid", dataclasses.replace(settings, **change)))
    header = None
    for name, mode, run_settings in runs:
        result = score(HybridRetriever(index, embedder, run_settings), questions, mode, args.k)
        if header is None:
            header = list(result)
            print(f"| retrieval | {' | '.join(header)} |")
            print("|---" * (len(header) + 1) + "|")
        print(f"| {name} | {' | '.join(f'{result[h]:.3f}' if h != 'p50_ms' else f'{result[h]:.0f}' for h in header)} |",
              flush=True)

    retriever = HybridRetriever(index, embedder, settings)
    refused = {id(q): bool(evidence_gaps(retriever.analyse(q.question), index)) for q in everything}
    null = [q for q in everything if not q.sources]
    print(f"evidence check: refuses {sum(refused[id(q)] for q in null)} of {len(null)} null questions, "
          f"and {sum(refused[id(q)] for q in questions)} of {len(questions)} answerable ones")


if __name__ == "__main__":
    main()
