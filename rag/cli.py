"""The `newsqa` command: a thin layer over rag's public API."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import Answer, NewsqaError, Settings, ask_stream, ingest, status
from .embeddings import EMBEDDING_BACKENDS
from .llm import CHAT_BACKENDS
from .settings import DEFAULT_CORPUS, STRATEGIES, check_question

EPILOG = """\
Settings also come from NEWSQA_* environment variables (NEWSQA_BACKEND, NEWSQA_TOP_K, ...);
flags win. The openai backend reads OPENAI_API_KEY and OPENAI_BASE_URL.

exit codes: 0 ok, 1 error, 2 bad settings, 3 bad corpus, 4 index built with other settings,
            5 model file missing, 6 LLM unreachable or refused, 7 Chroma server unreachable or lost
            mid-ingest, or the write lease lost, 9 local index cache damaged (delete it; it is rebuilt
            from Chroma), 130 interrupted"""


def _settings_flags() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("settings")
    group.add_argument("--index", help="index name (default: default)")
    group.add_argument("--data-dir", help="where indexes live (default: the user data folder)")
    group.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    group.add_argument("--embedder", choices=list(EMBEDDING_BACKENDS), help="minilm (offline, default) or openai")
    group.add_argument("--chunk-size", type=int, help="tokens per chunk (default 256)")
    group.add_argument("--chunk-overlap", type=int, help="tokens shared by neighbouring chunks (default 32)")
    group.add_argument("--backend", choices=list(CHAT_BACKENDS), help="LLM backend (default: openai if OPENAI_API_KEY is set)")
    group.add_argument("--model", help="LLM model name (openai) or GGUF path (local)")
    group.add_argument("--top-k", type=int, help="chunks retrieved per question (default 10)")
    group.add_argument("--strategy", dest="answer_strategy", choices=STRATEGIES,
                       help="auto (default): what measured better for the backend, stepwise on both; stepwise: "
                            "small checked steps; single: one prompt, for a model that writes its own answers")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _settings_flags()
    parser = argparse.ArgumentParser(
        prog="newsqa", description="Ask questions of a folder of news articles; every answer cites its sources.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("ingest", parents=[common], help="index a folder of articles (only what changed)",
                            description="Make the index mirror a folder: new and changed files are embedded, "
                                        "vanished files dropped, unreadable files reported and skipped.")
    p.add_argument("path", nargs="?", help=f"the corpus folder (default: the index's last one, else {DEFAULT_CORPUS.name}/)")
    p.add_argument("--rebuild", action="store_true", help="empty the index and embed everything again")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = commands.add_parser("ask", parents=[common], help="answer one question, with sources",
                            description="Answer a question from the indexed articles and list the cited sources.")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the whole Answer as JSON")

    commands.add_parser("chat", parents=[common], help="ask questions in the terminal, one after another",
                        description="An interactive prompt; an empty line or Ctrl-D ends it.")
    commands.add_parser("status", parents=[common], help="what the index holds and what built it")
    commands.add_parser("sync", parents=[common], help="bring this machine's cache up to date with Chroma now",
                        description="Fetch what other processes ingested into the shared Chroma index since "
                                    "this cache last looked. Searches do this by themselves every few seconds; "
                                    "run it to warm a new app server's cache before it takes questions.")

    p = commands.add_parser("ui", parents=[common], help="serve the chat page in the browser (Gradio)",
                            description="Serve the chat page, with the corpus ingested first. It binds to "
                                        "127.0.0.1; any other address, or a share link, needs credentials "
                                        "(--auth or NEWSQA_UI_USER and NEWSQA_UI_PASSWORD).")
    p.add_argument("path", nargs="?", help=f"the corpus folder (default: the index's last one, else {DEFAULT_CORPUS.name}/)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--share", action="store_true", help="also create a public gradio.live link (needs credentials)")
    p.add_argument("--auth", metavar="USER:PASSWORD", help="require this login (else NEWSQA_UI_USER/NEWSQA_UI_PASSWORD)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    commands.add_parser("eval", add_help=False, help="score answers against gold Q&A (newsqa eval --help)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    keys = ("index", "data_dir", "chroma_url", "embedder", "chunk_size", "chunk_overlap", "backend", "model", "top_k",
            "answer_strategy")
    return Settings.load(**{k: getattr(args, k) for k in keys if getattr(args, k, None) is not None})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["eval"]:  # eval parses its own flags
        return _eval(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
        return COMMANDS[args.command](args, settings)
    except NewsqaError as error:
        print(f"newsqa: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:  # a disk full or a folder we may not write: what the system said, in one line
        print(f"newsqa: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nnewsqa: interrupted; run the same command again to pick up where it stopped.", file=sys.stderr)
        return 130


def _ingest(args, settings: Settings) -> int:
    report = ingest(args.path, rebuild=args.rebuild, progress=False if args.quiet or args.json else None,
                    settings=settings)
    if args.json:
        print(json.dumps({k: str(v) if k == "corpus" else v for k, v in vars(report).items()}, indent=2))
    else:
        print(report.summary())
    return 0


def _eval(argv: list[str]) -> int:
    from eval.cli import main as eval_main  # rag imports eval only when asked: eval builds on rag

    return eval_main(argv)


def _ingest_if_empty(settings: Settings) -> None:
    """A first question on an empty index ingests the corpus (the index's last folder, else seeds/) first."""
    now = status(settings)
    if now.chunks == 0 and now.files == 0:
        print(f"Index {settings.index!r} is empty; ingesting the corpus first.", file=sys.stderr)
        print(ingest(settings=settings).summary(), file=sys.stderr)


def _ask(args, settings: Settings) -> int:
    question = check_question(args.question, settings)
    _ingest_if_empty(settings)
    answer = _answer(question, settings, stream=not args.json)
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
    return 0


def _answer(question: str, settings: Settings, stream: bool, history: list[Answer] | None = None) -> Answer:
    live = stream and sys.stdout.isatty()
    answering = ask_stream(question, history=history, settings=settings)
    draft = ""
    for text in answering if live else ():
        print(text, end="", flush=True)
        draft += text
    answer = answering.answer()
    if draft:
        # The draft carries the model's own markers; replace it with the verified answer.
        print(f"\r\033[{_rows(draft) - 1}A\033[J" if _rows(draft) > 1 else "\r\033[J", end="")
    if stream:
        print(format_answer(answer))
    return answer


def _rows(text: str) -> int:
    import shutil

    width = max(shutil.get_terminal_size().columns, 1)
    return sum(max(1, -(-len(line) // width)) for line in text.split("\n"))


def format_answer(answer: Answer) -> str:
    lines = [f"(searched for: {answer.question})"] if answer.asked and answer.asked != answer.question else []
    lines.append(answer.text)
    unsupported = [c.text for c in answer.claims if not c.supported]
    if unsupported and not answer.abstained:
        lines.append("\nNot supported by the cited passages:")
        lines += [f"  - {text}" for text in unsupported]
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            about = ", ".join(p for p in (c.source, c.published[:10]) if p)
            lines.append(f"  [{c.number}] {c.file} — {c.title}" + (f" ({about})" if about else ""))
            lines.append(f"      “{c.quote}”")
    elif answer.abstained and answer.retrieved:
        lines.append(f"\n(closest article: {answer.retrieved[0].file})")
    return "\n".join(lines)


def _chat(args, settings: Settings) -> int:
    _ingest_if_empty(settings)
    print(f"newsqa chat — index {settings.index!r}, backend {settings.resolved_backend}. Empty line or Ctrl-D quits.")
    history: list[Answer] = []
    while True:
        try:
            question = input("\n? ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        try:
            history.append(_answer(check_question(question, settings), settings, stream=True, history=history[-2:]))
        except NewsqaError as error:  # one bad turn should not end the conversation
            print(f"newsqa: {error}", file=sys.stderr)


def _ui(args, settings: Settings) -> int:
    import dataclasses

    from ui.serve import credentials, launch  # gradio loads only for this command

    if args.path:
        settings = dataclasses.replace(settings, corpus=Path(args.path).expanduser().resolve())
    launch(settings, host=args.host, port=args.port, share=args.share, auth=credentials(args.auth),
           open_browser=args.open)
    return 0


def _status(args, settings: Settings) -> int:
    keys = ("index", "location", "corpus", "files", "chunks", "vectors", "built_with", "last_ingested", "backend")
    info = status(settings).to_dict()
    print(json.dumps({k: info[k] for k in keys}, indent=2))
    return 0


def _sync(args, settings: Settings) -> int:
    from .store import Index

    started = time.perf_counter()
    index = Index(settings)  # opening syncs
    try:
        index.sync()
        print(f"index {settings.index!r}: {index.fetched} chunks fetched; the cache holds {len(index.files())} files, "
              f"{index.chunk_count()} chunks; {time.perf_counter() - started:.1f} s")
    finally:
        index.close()
    return 0


COMMANDS = {"ingest": _ingest, "ask": _ask, "chat": _chat, "status": _status, "sync": _sync, "ui": _ui}


if __name__ == "__main__":
    sys.exit(main())
