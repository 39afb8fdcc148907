"""`newsqa eval`: score newsqa on a gold Q&A pack, or compare two results folders."""

from __future__ import annotations

import argparse
import json
import sys

from rag.embeddings import EMBEDDING_BACKENDS
from rag.llm import CHAT_BACKENDS
from rag.settings import STRATEGIES

EPILOG = """\
examples:
  newsqa eval                                        the seeds pack shipped in eval/seeds
  newsqa eval --pack ../shared/newsqa/public         any pack: corpus/ + qa.jsonl (+ evidence.jsonl)
  newsqa eval --pack ../shared/newsqa/public --corpus ../shared/newsqa/corpus-609/corpus
  newsqa eval --backend openai --limit 20 --out results/run1
  newsqa eval --compare results/run1 results/run2    what got better or worse, question by question

The results folder gets answers.jsonl (one scored answer a line), summary.json (metrics and the
settings that produced them) and report.html. Run the same command again after an interruption:
the answers already there are reused (only those from the same settings, pack and git commit;
after editing the engine without committing, add --fresh). NEWSQA_JUDGE_MODEL (+ NEWSQA_JUDGE_BASE_URL,
NEWSQA_JUDGE_API_KEY) adds an LLM judge's verdicts, reported apart.

exit codes: 0 ok, 1 error, 2 bad arguments or settings, 3 bad pack, corpus or results folder,
            4 index built with other settings, 5 model file missing, 6 LLM unreachable or refused,
            7 Chroma server unreachable, 8 a --min floor was not met, 9 index damaged, 130 interrupted"""

BELOW_FLOOR = 8


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsqa eval", description="Score newsqa's answers, citations, abstentions and retrieval against gold "
                                        "questions and answers.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pack", metavar="DIR", help="the pack folder (default: eval/seeds, the seeds/ questions)")
    parser.add_argument("--corpus", metavar="DIR", help="answer from this corpus folder instead of the pack's")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    parser.add_argument("--out", metavar="DIR",
                        help="results folder (default: results/<pack>-<corpus>-<backend>); "
                             "reused answers come from here")
    parser.add_argument("--fresh", action="store_true", help="answer every question again, reusing nothing")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two results folders and exit")
    parser.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE",
                        help="fail (exit 8) when an overall metric is below VALUE, e.g. --min file_hit@4=0.9; "
                             "repeatable")
    parser.add_argument("--no-html", action="store_true", help="do not write report.html")
    parser.add_argument("--json", action="store_true", help="print summary.json instead of the table")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    group = parser.add_argument_group("settings (as for newsqa ask; NEWSQA_* variables also apply)")
    group.add_argument("--backend", choices=list(CHAT_BACKENDS),
                       help="LLM backend (default: openai if OPENAI_API_KEY is set)")
    group.add_argument("--model", help="LLM model name (openai) or GGUF path (local)")
    group.add_argument("--top-k", type=int, help="chunks retrieved per question (default 10)")
    group.add_argument("--strategy", dest="answer_strategy", choices=STRATEGIES,
                       help="answer strategy: stepwise, single or auto (default: auto, stepwise on both backends)")
    group.add_argument("--embedder", choices=list(EMBEDDING_BACKENDS), help="minilm (offline, default) or openai")
    group.add_argument("--chunk-size", type=int, help="tokens per chunk (default 256)")
    group.add_argument("--chunk-overlap", type=int, help="tokens shared by neighbouring chunks (default 32)")
    group.add_argument("--index", help="index name (default: <corpus>-<hash>, apart from your own index)")
    group.add_argument("--data-dir", help="where indexes live (default: the user data folder)")
    group.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    return parser


def _floors(specs: list[str], parser: argparse.ArgumentParser) -> dict[str, float]:
    floors = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        try:
            floors[name.strip()] = float(value)
        except ValueError:
            parser.error(f"--min wants METRIC=VALUE, e.g. file_hit@4=0.9, not {spec!r}")  # exit 2, as bad arguments
    return floors


def floor_names() -> list[str]:
    """What --min may name: every metric of eval.scores, and the scores over all questions."""
    from .scores import METRICS, OVERALL_SCORES

    return [metric.key for metric in METRICS] + list(OVERALL_SCORES)


def _overall(metrics: dict, name: str):
    if name.startswith("abstention_"):
        return metrics["abstention"].get(name.removeprefix("abstention_"))
    return metrics.get(name)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    floors = _floors(args.min, parser)
    unknown = [name for name in floors if name not in floor_names()]
    if unknown:  # before the run, not after it
        print(f"newsqa eval: no metric named {', '.join(unknown)}; names: {', '.join(floor_names())}", file=sys.stderr)
        return 2

    from rag import NewsqaError, Settings

    from .report import compare, format_compare, format_table, write_html
    from .run import load_results, run_eval

    try:
        if args.compare:
            a, b = args.compare
            diff = compare(load_results(a), load_results(b))
            print(json.dumps(diff, indent=2, ensure_ascii=False) if args.json else format_compare(diff, (a, b)))
            return 0
        keys = ("index", "data_dir", "chroma_url", "embedder", "chunk_size", "chunk_overlap", "backend", "model",
                "top_k", "answer_strategy")
        settings = Settings.load(**{k: getattr(args, k) for k in keys if getattr(args, k) is not None})
        result = run_eval(args.pack, corpus=args.corpus, settings=settings, limit=args.limit, out=args.out,
                          progress=not args.quiet and not args.json, fresh=args.fresh)
        html_path = None if args.no_html else write_html(result.summary, result.rows, result.out / "report.html")
        if args.json:
            print(json.dumps(result.summary, indent=2, ensure_ascii=False))
        else:
            print(format_table(result.summary))
            print(f"\nresults: {result.out}/" + (f"  report: {html_path}" if html_path else ""))
        overall = result.summary["metrics"]["all"]
        low = [(n, _overall(overall, n), v) for n, v in floors.items()
               if _overall(overall, n) is None or _overall(overall, n) < v]
        for name, value, floor in low:
            print(f"newsqa eval: {name} is {value if value is None else round(value, 4)}, under the floor {floor}",
                  file=sys.stderr)
        return BELOW_FLOOR if low else 0
    except NewsqaError as error:
        print(f"newsqa eval: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("\nnewsqa eval: interrupted; run the same command again to reuse the answers so far.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
