"""Question latency: retrieval, then ask() with the local model per answer strategy, idle and beside a busy core.

    python bench/ask.py                    # public questions over corpus-609 (reuses bench/retrieval.py's index)
    python bench/ask.py --questions 10     # how many questions go through the LLM per case
    python bench/ask.py --no-loaded        # skip the runs beside a busy-loop process

Retrieval time covers embedding the question, the Chroma and BM25 searches, fusion and
fetching the chunks. ask() times are wall clock. "Loaded" runs have a busy-loop process
spinning on one core beside them, as on a shared machine: llama.cpp with as many threads as
cores waits on the busy core at every step, so the decoding figures are printed for the
default thread count (NEWSQA_LLM_THREADS, one fewer than the cores) and for all cores.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout, installed or not
SHARED = ROOT.parent / "shared" / "newsqa"

from eval.pack import load_pack  # noqa: E402
from rag import Settings, ask, ingest  # noqa: E402
from rag.answer import engine_for  # noqa: E402
from rag.llm import LocalChat  # noqa: E402

DECODE_PROMPT = [{"role": "user", "content": "Write a short story about a lighthouse keeper and a storm."}]
DECODE_TOKENS = 32


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _spin() -> None:
    while True:
        pass


@contextlib.contextmanager
def busy_core(enabled: bool):
    """A process that keeps one core busy for as long as the block runs."""
    if not enabled:
        yield
        return
    spinner = multiprocessing.Process(target=_spin, daemon=True)
    spinner.start()
    try:
        yield
    finally:
        spinner.terminate()
        spinner.join()


def decode_rate(threads: int) -> float:
    """Tokens per second SmolLM2 writes with ``threads`` llama.cpp threads (prompt included)."""
    model = LocalChat(2048, threads)
    list(model.stream(DECODE_PROMPT, 4))  # warm
    started = time.perf_counter()
    pieces = list(model.stream(DECODE_PROMPT, DECODE_TOKENS))
    tokens = model.count_tokens("".join(pieces))
    return tokens / (time.perf_counter() - started)


class CountingModel:
    """Counts the calls an answer makes to the chat model it wraps."""

    def __init__(self, model) -> None:
        self.model, self.name, self.calls = model, model.name, 0

    def stream(self, messages, max_tokens):
        self.calls += 1
        yield from self.model.stream(messages, max_tokens)


def ask_times(questions: list[str], settings: Settings) -> dict:
    """ask() latency over ``questions``, and how many model calls each answer made."""
    from rag import answer as answer_module

    original = answer_module.get_chat_model
    counting = CountingModel(original(settings))
    answer_module.get_chat_model = lambda _settings: counting
    try:
        total, first = [], []
        for q in questions:
            answer = ask(q, settings=settings)
            total.append(answer.timings["total_s"])
            if "first_token_s" in answer.timings:
                first.append(answer.timings["first_token_s"])
    finally:
        answer_module.get_chat_model = original
    return {"p50_s": statistics.median(total), "p95_s": percentile(total, 0.95),
            "first_visible_p50_s": statistics.median(first) if first else None,
            "model_calls_per_question": counting.calls / len(questions)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus-609" / "corpus")
    parser.add_argument("--qa", type=Path, default=SHARED / "public" / "qa.jsonl")
    parser.add_argument("--index", default="bench-retrieval")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--no-loaded", action="store_true", help="skip the runs beside a busy core")
    args = parser.parse_args()
    if not args.qa.exists():
        sys.exit(f"No gold pack at {args.qa}; pass --qa and --corpus.")

    settings = Settings.load(index=args.index, backend="local")
    report = ingest(args.corpus, settings=settings)
    questions = [q.question for q in load_pack(args.qa, args.corpus).questions]
    engine = engine_for(settings)
    engine.retriever.retrieve("warm-up")
    retrieval_ms = []
    for q in questions:
        started = time.perf_counter()
        engine.retriever.retrieve(q)
        retrieval_ms.append((time.perf_counter() - started) * 1000)

    cores = os.cpu_count() or 2
    print(f"# {report.total_files} articles, {report.total_chunks} chunks; top_k={settings.top_k}; {cores} cores; "
          f"local SmolLM2-135M, {args.questions} questions per case")
    print(f"retrieval over {len(questions)} questions: p50 {statistics.median(retrieval_ms):.1f} ms, "
          f"p95 {percentile(retrieval_ms, 0.95):.1f} ms")
    loads = [False] if args.no_loaded else [False, True]
    for loaded in loads:
        with busy_core(loaded):
            where = "beside a busy core" if loaded else "idle"
            for strategy in ("stepwise", "single"):
                times = ask_times(questions[: args.questions], dataclasses.replace(settings, answer_strategy=strategy))
                first = times["first_visible_p50_s"]
                print(f"ask() {strategy:8} {where:18}: total p50 {times['p50_s']:.2f} s, p95 {times['p95_s']:.2f} s; "
                      f"first visible output p50 {'-' if first is None else f'{first:.2f} s'}; "
                      f"{times['model_calls_per_question']:.1f} model calls a question")
            for threads in sorted({settings.resolved_llm_threads, cores}):
                label = "default" if threads == settings.resolved_llm_threads else "all cores"
                print(f"decoding, {threads} thread(s) ({label}), {where}: {decode_rate(threads):.1f} tokens/s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
