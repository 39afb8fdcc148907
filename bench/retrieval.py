"""Retrieval quality and latency of dense, BM25 and fused retrieval on a gold Q&A pack.

    python bench/retrieval.py                     # public pack over corpus-609 from ../shared/newsqa
    python bench/retrieval.py --grid              # also sweep the fusion weights
    python bench/retrieval.py --corpus DIR --qa FILE --evidence FILE

It ingests the corpus into its own index (incrementally, so later runs reuse it)
and prints one table row per retrieval mode. Null questions are left out, as in
the MultiHop-RAG paper.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.metrics import chunk_hit_at, chunk_mrr_at, file_all_gold_at, file_hit_at  # noqa: E402
from rag import Settings, ingest  # noqa: E402
from rag.embeddings import get_embedder  # noqa: E402
from rag.retrieval import fuse  # noqa: E402
from rag.store import Index  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "newsqa"


def load_pack(qa_path: Path, evidence_path: Path | None) -> list[dict]:
    questions = [json.loads(line) for line in qa_path.read_text().splitlines() if line.strip()]
    facts = {}
    if evidence_path and evidence_path.exists():
        for line in evidence_path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                facts[row["id"]] = [e["fact"] for e in row["evidence"]]
    for q in questions:
        q["facts"] = facts.get(q["id"], [])
    return [q for q in questions if q.get("sources")]


def candidates(index: Index, embedder, questions: list[dict], n: int) -> list[tuple[dict, dict, float, float]]:
    """Per question: dense and lexical candidate scores, and the seconds each search took."""
    out = []
    for q in questions:
        t0 = time.perf_counter()
        dense = dict(index.dense_search(embedder.embed([q["question"]])[0], n))
        t1 = time.perf_counter()
        lexical = dict(index.lexical_search(q["question"], n))
        t2 = time.perf_counter()
        out.append((dense, lexical, t1 - t0, t2 - t1))
    return out


def score(index: Index, questions, cands, dense_w: float, lexical_w: float, k: int) -> dict:
    rows = []
    for q, (dense, lexical, _, _) in zip(questions, cands):
        fused = fuse(dense, lexical, dense_w, lexical_w)
        ranked = sorted(fused, key=fused.get, reverse=True)
        chunks = index.chunks(ranked[:50])
        files = [chunks[c].file for c in ranked[:50] if c in chunks]
        texts = [chunks[c].text for c in ranked[:k] if c in chunks]
        rows.append({
            "all_gold_topk_chunks": file_all_gold_at(files[:k], q["sources"], k),
            "all_gold_top10_files": file_all_gold_at(files, q["sources"], 10),
            "file_hit@4": file_hit_at(files, q["sources"], 4),
            "hits@4": chunk_hit_at(texts, q["facts"], 4),
            "hits@10": chunk_hit_at(texts, q["facts"], 10),
            "mrr@10": chunk_mrr_at(texts, q["facts"], 10),
        })
    return {key: statistics.mean(r[key] for r in rows) for key in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus-609" / "corpus")
    parser.add_argument("--qa", type=Path, default=SHARED / "public" / "qa.jsonl")
    parser.add_argument("--evidence", type=Path, default=SHARED / "public" / "evidence.jsonl")
    parser.add_argument("--index", default="bench-retrieval")
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--grid", action="store_true", help="sweep the dense/BM25 weights")
    args = parser.parse_args()
    if not args.qa.exists():
        sys.exit(f"No gold pack at {args.qa}; pass --qa and --corpus.")

    overrides = {"index": f"{args.index}-{args.chunk_size}" if args.chunk_size else args.index}
    if args.chunk_size:
        overrides["chunk_size"] = args.chunk_size
    settings = Settings.load(**overrides)
    report = ingest(args.corpus, settings=settings)
    print(report.summary(), file=sys.stderr)
    index = Index(settings)
    questions = load_pack(args.qa, args.evidence)
    cands = candidates(index, get_embedder(settings), questions, settings.candidates)

    print(f"# {len(questions)} answerable questions of {args.qa.name} over {args.corpus} "
          f"({report.total_files} files, {report.total_chunks} chunks of {settings.chunk_size} tokens), k={args.k}")
    modes = [("dense", 1.0, 0.0), ("bm25", 0.0, 1.0),
             (f"hybrid {settings.dense_weight}/{settings.lexical_weight} (default)",
              settings.dense_weight, settings.lexical_weight)]
    if args.grid:
        modes += [(f"hybrid {w:.1f}/{1 - w:.1f}", w, 1 - w) for w in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)]
    header = None
    for name, dw, lw in modes:
        result = score(index, questions, cands, dw, lw, args.k)
        if header is None:
            header = list(result)
            print(f"| mode | {' | '.join(header)} |")
            print("|---" * (len(header) + 1) + "|")
        print(f"| {name} | {' | '.join(f'{result[h]:.3f}' for h in header)} |")
    dense_ms = sorted(c[2] * 1000 for c in cands)
    lexical_ms = sorted(c[3] * 1000 for c in cands)
    total_ms = sorted((c[2] + c[3]) * 1000 for c in cands)
    for label, values in (("dense", dense_ms), ("bm25", lexical_ms), ("both", total_ms)):
        print(f"{label} search latency: p50 {statistics.median(values):.1f} ms, "
              f"p95 {values[int(0.95 * (len(values) - 1))]:.1f} ms")


if __name__ == "__main__":
    main()
