"""Run a pack's questions through :func:`rag.ask` and score what comes back.

    from eval import run_eval
    result = run_eval("eval/seeds", settings=Settings.load(backend="local"), out="results/seeds")
    result.summary["metrics"]["all"]["strict"]

The results folder holds ``answers.jsonl`` (one scored answer a line, written as
each question is answered) and ``summary.json`` (the metrics and the settings
that produced them). Running again into the same folder with the same settings
reuses the answers already there, so an interrupted run picks up where it stopped.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rag import Settings, ask, ingest
from rag.embeddings import embedder_id, embedding_backend
from rag.llm import chat_backend
from rag.settings import PROJECT_ROOT

from . import baselines
from . import metrics as m
from . import scores
from .judge import Judge, judge_from_env
from .pack import Pack, Question, load_pack

ANSWERS = "answers.jsonl"
SUMMARY = "summary.json"
ALL = "all"


@dataclass
class EvalResult:
    out: Path
    summary: dict
    rows: list[dict]
    reused: int  # answers taken from an earlier, interrupted run


# ---------------------------------------------------------------------------------------------
# Settings and provenance


def corpus_label(corpus: Path) -> str:
    """A short name for a corpus folder: its name, or its parent's when it is called corpus/."""
    name = corpus.parent.name if corpus.name == "corpus" else corpus.name
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40] or "corpus"


def index_name(corpus: Path, settings: Settings) -> str:
    """The eval's own index for ``corpus``, so that eval runs never touch the user's default index.

    Packs that share a corpus share its index; another embedder or chunking gets another index.
    """
    key = f"{corpus.resolve()}|{settings.embedder}|{settings.openai_embedding_model}|{settings.chunk_size}|" \
          f"{settings.chunk_overlap}"
    return f"eval-{corpus_label(corpus)}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def eval_settings(pack: Pack, settings: Settings | None) -> Settings:
    """``settings`` pointed at the pack's corpus and, unless an index was named, at the eval's own index."""
    settings = settings or Settings.load()
    index = index_name(pack.corpus, settings) if settings.index == "default" else settings.index
    return dataclasses.replace(settings, corpus=pack.corpus, index=index)


def git_commit() -> dict:
    """The commit of the newsqa checkout and whether it had uncommitted changes, when it is a git checkout."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def settings_record(pack: Pack, settings: Settings) -> dict:
    """What produced a run, for summary.json and report.html."""
    backend = chat_backend(settings.resolved_backend)
    embedder = embedding_backend(settings.embedder).label(settings)
    return {
        "pack": pack.name,
        "pack_dir": str(pack.root),
        "pack_fingerprint": pack.fingerprint,
        "corpus": str(pack.corpus),
        "index": settings.index,
        "backend": backend.name,
        "model": settings.model or backend.default_model,
        "embedder": embedder,
        "chunking": {"size": settings.chunk_size, "overlap": settings.chunk_overlap, "unit": "cl100k_base tokens"},
        "k": settings.top_k,
        "candidates": settings.candidates,
        "fusion": {"dense": settings.dense_weight, "lexical": settings.lexical_weight},
        "min_relevance": settings.min_relevance,
        "context_chunks": settings.context_chunks,
        "max_answer_tokens": settings.max_answer_tokens,
        "strategy": settings.resolved_strategy,
        "base_url": backend.base_url(),
    }


# Settings that cannot change an answer: where indexes live (the eval ingests the corpus into its own index
# first), decoding threads, limits and timeouts that stop a run rather than change an answer, the page's login.
NOT_IN_FINGERPRINT = ("data_dir", "llm_threads", "llm_timeout_s", "max_question_chars", "login_attempts",
                      "login_lock_s", "login_lock_max_s")


def fingerprint(settings: Settings, record: dict) -> str:
    """Answers are reused only from a run with the same fingerprint: settings, models, pack and commit.

    Every setting counts but those in :data:`NOT_IN_FINGERPRINT`, so a new one counts
    until it is listed there. Uncommitted changes to the engine do not change it:
    after editing rag/, run with --fresh.
    """
    answering = {k: v for k, v in dataclasses.asdict(settings).items() if k not in NOT_IN_FINGERPRINT}
    identity = {"settings": answering, "backend": settings.resolved_backend, "strategy": settings.resolved_strategy,
                "embedder": embedder_id(settings), "model": record["model"], "base_url": record["base_url"],
                "pack": record["pack_fingerprint"], "commit": record.get("commit")}
    blob = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Scoring one answer


def answer_row(question: Question, answer, run_id: str, majority: dict[str, str]) -> dict:
    """The JSON line for one answered question (scores are added by :func:`eval.scores.score_row`).

    ``majority``: each type's majority answer, for the baselines (see :mod:`eval.baselines`).
    """
    texts = [r.text for r in answer.retrieved]
    return {
        "id": question.id,
        "type": question.type,
        "kind": getattr(answer, "kind", None),
        "question": question.question,
        "gold": question.to_dict() | {"answerable": question.answerable},
        "answer": answer.text,
        "abstained": bool(answer.abstained),
        "cited_files": answer.files,
        "citations": [dataclasses.asdict(c) if dataclasses.is_dataclass(c) else dict(vars(c))
                      for c in answer.citations],
        "claims": [dataclasses.asdict(c) for c in getattr(answer, "claims", [])],
        "asked_as": getattr(answer, "question", question.question),
        "retrieved": [{"file": r.file, "score": round(float(r.score), 4)} for r in answer.retrieved],
        "chunk_hits": m.chunk_hits(texts, list(question.facts)) if question.facts else None,
        "timings": {k: round(float(v), 4) for k, v in (answer.timings or {}).items()},
        "model": answer.model,
        "baselines": baselines.answers(question, majority, texts),
        "run": run_id,
    }


# ---------------------------------------------------------------------------------------------
# Aggregating

def aggregate(rows: list[dict]) -> dict:
    """Means of the scores, abstention precision/recall and latency percentiles over ``rows``.

    Retrieval, answer and citation means are over the answerable questions only;
    ``strict_all`` also counts a correct abstention on an unanswerable question as correct.
    """
    answerable = [r for r in rows if r["scores"]["answerable"]]
    out: dict = {"questions": len(rows), "answerable": len(answerable)}
    for metric in scores.METRICS:
        out[metric.key] = m.mean(r["scores"][metric.key] for r in answerable)
    out["strict_all"] = m.mean(r["scores"]["strict"] for r in rows)
    out["abstention"] = m.abstention_scores([r["scores"]["abstained"] for r in rows],
                                            [not r["scores"]["answerable"] for r in rows])
    out["cited_nothing"] = sum(1 for r in answerable if not r["cited_files"])
    for name in ("retrieval_s", "total_s", "first_token_s"):
        values = [r["timings"].get(name) for r in rows if r["timings"].get(name) is not None]
        out[f"{name}_p50"] = m.percentile(values, 50)
        out[f"{name}_p95"] = m.percentile(values, 95)
    judged = [r["judge"]["correct"] for r in rows if isinstance(r.get("judge"), dict)
              and r["judge"].get("correct") is not None]
    out["judge"] = m.mean(float(j) for j in judged) if judged else None
    out["judged"] = len(judged)
    return out


def grouped(rows: list[dict], key: str) -> dict[str, list[dict]]:
    """``rows`` by their value of ``key``, sorted; rows without one are left out."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        if row.get(key) is not None:
            groups.setdefault(row[key], []).append(row)
    return dict(sorted(groups.items()))


def summarize(rows: list[dict]) -> dict:
    """Aggregates over all rows, by question type and by the engine's answer kind, and the baselines beside them."""
    return {ALL: aggregate(rows),
            "by_type": {t: aggregate(rs) for t, rs in grouped(rows, "type").items()},
            "by_kind": {k: aggregate(rs) for k, rs in grouped(rows, "kind").items()},
            "baselines": baselines.summarize(rows)}


# ---------------------------------------------------------------------------------------------
# Running


def _load_previous(out: Path, run_fingerprint: str) -> dict[str, dict]:
    """Answers in ``out`` from a run with the same settings, by question id; the file is rewritten without the rest."""
    path = out / ANSWERS
    if not path.is_file():
        return {}
    kept: dict[str, dict] = {}
    dropped = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a kill
        if row.get("fingerprint") == run_fingerprint:
            kept[row["id"]] = row
        else:
            dropped += 1
    if dropped:
        print(f"eval: {dropped} earlier answer(s) in {out} came from other settings or another commit; "
              "answering those again.",
              file=sys.stderr)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept.values()), encoding="utf-8")
    return kept


def default_out(pack: Pack, settings: Settings) -> Path:
    return Path("results") / f"{pack.name}-{corpus_label(pack.corpus)}-{settings.resolved_backend}"


def run_eval(pack: str | Path | Pack | None = None, corpus: str | Path | None = None,
             settings: Settings | None = None, limit: int | None = None, out: str | Path | None = None,
             progress: bool = True, judge: Judge | None | bool = None, fresh: bool = False) -> EvalResult:
    """Answers every question of ``pack`` (the seeds pack by default) and scores the answers.

    ``corpus`` overrides the pack's corpus; ``limit`` takes the first N questions;
    ``out`` is the results folder (default results/<pack>-<corpus>-<backend>);
    answers already in ``out`` from the same settings are reused unless ``fresh``.
    ``judge``: a :class:`Judge`, False for none, None to use NEWSQA_JUDGE_MODEL when it is set.
    """
    started_at = datetime.datetime.now(datetime.timezone.utc)
    started = time.perf_counter()
    if not isinstance(pack, Pack):
        pack = load_pack(pack, corpus)
    elif corpus is not None:
        pack = dataclasses.replace(pack, corpus=Path(corpus).expanduser().resolve())
    settings = eval_settings(pack, settings)
    missing = pack.missing_sources()
    if missing:
        print(f"eval: {len(missing)} gold source file(s) are not in {pack.corpus}, e.g. {missing[0]}; "
              "those questions cannot be answered from it.", file=sys.stderr)
    questions = pack.questions[:limit] if limit else pack.questions
    out = Path(out) if out else default_out(pack, settings)
    out.mkdir(parents=True, exist_ok=True)
    if judge is None:
        judge = judge_from_env()
    judge = judge or None

    report = ingest(pack.corpus, settings=settings, progress=progress)
    record = settings_record(pack, settings) | git_commit()
    run_fingerprint = fingerprint(settings, record)
    if fresh and (out / ANSWERS).exists():
        (out / ANSWERS).unlink()
    previous = _load_previous(out, run_fingerprint)
    by_id = {q.id: q for q in pack.questions}
    majority = baselines.majority_answers(pack.questions)

    rows: list[dict] = []
    reused = 0
    bar = _progress(len(questions), progress)
    try:
        with (out / ANSWERS).open("a", encoding="utf-8") as sink:
            for question in questions:
                row = previous.get(question.id)
                if row is not None:
                    reused += 1
                    # A row saved before baselines existed keeps no passage text: extractive stays None.
                    row.setdefault("baselines", baselines.answers(question, majority, None))
                else:
                    answer = ask(question.question, settings=settings)
                    row = answer_row(question, answer, started_at.isoformat(timespec="seconds"), majority)
                    row["fingerprint"] = run_fingerprint
                    if judge is not None:
                        row["judge"] = judge.grade(question, answer.text, answer.abstained)
                    sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                    sink.flush()
                row["scores"] = scores.score_row(by_id[question.id], row)  # rescored: metrics may have changed
                rows.append(row)
                if bar is not None:
                    bar.set_postfix_str(f"strict {m.mean(r['scores']['strict'] for r in rows):.2f}", refresh=False)
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()

    models = Counter(r["model"] for r in rows if r.get("model"))
    record["model_used"] = models.most_common(1)[0][0] if models else None
    summary = {
        "pack": pack.name,
        "questions": len(rows),
        "of": len(pack.questions),
        "reused": reused,
        "settings": record,
        "fingerprint": run_fingerprint,
        "corpus_files": report.total_files,
        "corpus_chunks": report.total_chunks,
        "has_evidence": pack.has_evidence,
        "judge": judge.describe() if judge is not None else None,
        "started": started_at.isoformat(timespec="seconds"),
        "wall_s": round(time.perf_counter() - started, 2),
        "metrics": summarize(rows),
    }
    (out / SUMMARY).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # The answers file, in pack order and with scores, replaces the append log once the run is complete;
    # earlier answers to questions this run left out (--limit) stay, unscored, for a later run to reuse.
    done = {r["id"] for r in rows}
    kept = [{k: v for k, v in r.items() if k != "scores"} for i, r in previous.items() if i not in done]
    (out / ANSWERS).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows + kept),
                               encoding="utf-8")
    return EvalResult(out, summary, rows, reused)


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="eval", unit="q", dynamic_ncols=True, file=sys.stderr)


def load_results(folder: str | Path) -> tuple[dict, list[dict]]:
    """The summary and the scored answers of a results folder."""
    folder = Path(folder)
    from .pack import PackError

    if not (folder / SUMMARY).is_file() or not (folder / ANSWERS).is_file():
        raise PackError(f"{folder} is not a results folder (no {SUMMARY} and {ANSWERS}); run newsqa eval --out first.")
    summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in (folder / ANSWERS).read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if "scores" in r]  # unscored rows wait to be reused by a later run
    return summary, rows
