"""Question latency: retrieval p50/p95 over a gold pack, and end-to-end ask() with the local model.

    python bench/ask.py                    # public questions over corpus-609 (reuses bench/retrieval.py's index)
    python bench/ask.py --questions 10     # how many questions go through the LLM

Retrieval time covers embedding the question, the Chroma and BM25 searches,
fusion and fetching the chunks. End-to-end times are wall clock on this machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "newsqa"

from rag import Settings, ask, ingest  # noqa: E402
from rag.answer import engine_for  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus-609" / "corpus")
    parser.add_argument("--qa", type=Path, default=SHARED / "public" / "qa.jsonl")
    parser.add_argument("--index", default="bench-retrieval")
    parser.add_argument("--questions", type=int, default=10)
    args = parser.parse_args()
    if not args.qa.exists():
        sys.exit(f"No gold pack at {args.qa}; pass --qa and --corpus.")

    settings = Settings.load(index=args.index, backend="local")
    report = ingest(args.corpus, settings=settings)
    questions = [json.loads(line)["question"] for line in args.qa.read_text().splitlines() if line.strip()]
    engine = engine_for(settings)
    engine.retriever.retrieve("warm-up")

    retrieval_ms = []
    for q in questions:
        started = time.perf_counter()
        engine.retriever.retrieve(q)
        retrieval_ms.append((time.perf_counter() - started) * 1000)

    first_token, total, abstained = [], [], 0
    for q in questions[: args.questions]:
        answer = ask(q, settings=settings)
        total.append(answer.timings["total_s"])
        if "first_token_s" in answer.timings:
            first_token.append(answer.timings["first_token_s"])
        abstained += answer.abstained

    print(f"# {report.total_files} articles, {report.total_chunks} chunks; top_k={settings.top_k}, "
          f"candidates={settings.candidates}; 2-core machine")
    print(f"retrieval over {len(questions)} questions: p50 {statistics.median(retrieval_ms):.1f} ms, "
          f"p95 {percentile(retrieval_ms, 0.95):.1f} ms")
    if first_token:
        print(f"ask(), local SmolLM2, {len(total)} questions ({abstained} abstained): time to first token "
              f"p50 {statistics.median(first_token):.2f} s, p95 {percentile(first_token, 0.95):.2f} s; "
              f"total p50 {statistics.median(total):.2f} s, p95 {percentile(total, 0.95):.2f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
