"""Load a gold Q&A pack: a folder with ``corpus/``, ``qa.jsonl`` and, optionally, ``evidence.jsonl``.

    qa.jsonl        {"id", "question", "answer", "aliases"?, "sources", "type"} one a line
    evidence.jsonl  {"id", "evidence": [{"source": file, "fact": sentence}, ...]} one a line
    pack.json       optional: {"name": ..., "corpus": "path/relative/to/the/pack"}

The corpus is, in falling priority: the ``corpus`` argument, ``pack.json``'s
``corpus`` pointer, the pack's own ``corpus/`` folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import CorpusError

SEEDS_PACK = Path(__file__).resolve().parent / "seeds"
UNANSWERABLE_TYPES = {"null_query"}


class PackError(CorpusError):
    """The pack folder, its qa.jsonl or its corpus is missing or malformed (exit code 3)."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answer: str
    sources: tuple[str, ...] = ()
    type: str = "unknown"
    aliases: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()  # gold evidence sentences, from evidence.jsonl

    @property
    def answerable(self) -> bool:
        """False for questions whose right behaviour is to abstain: null queries, or no gold source."""
        return self.type not in UNANSWERABLE_TYPES and bool(self.sources)

    @property
    def golds(self) -> list[str]:
        """The gold answer and its accepted aliases."""
        return [a for a in (self.answer, *self.aliases) if a and a.strip()]

    def to_dict(self) -> dict:
        return {"id": self.id, "question": self.question, "answer": self.answer, "aliases": list(self.aliases),
                "sources": list(self.sources), "type": self.type}


@dataclass
class Pack:
    name: str
    root: Path
    corpus: Path
    questions: list[Question] = field(default_factory=list)
    has_evidence: bool = False
    fingerprint: str = ""  # sha256 of qa.jsonl (+ evidence.jsonl), first 12 hex digits

    def types(self) -> list[str]:
        return sorted({q.type for q in self.questions})

    def missing_sources(self) -> list[str]:
        """Gold source files that are not in the corpus folder."""
        wanted = {s for q in self.questions for s in q.sources}
        return sorted(s for s in wanted if not (self.corpus / s).is_file())


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(f"cannot read {path}: {error}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise PackError(f"{path}:{number}: not valid JSON ({error.msg}).") from None
        if not isinstance(row, dict):
            raise PackError(f"{path}:{number}: each line must be a JSON object.")
        rows.append(row)
    return rows


def _strings(value, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PackError(f"{where}: {key!r} must be a list of strings.")
    return tuple(value)


def load_pack(path: str | Path | None = None, corpus: str | Path | None = None) -> Pack:
    """The pack in folder ``path`` (default: the seeds pack in eval/seeds), its corpus overridden by ``corpus``."""
    root = Path(path).expanduser() if path is not None else SEEDS_PACK
    if root.is_file() and root.suffix == ".jsonl":
        root = root.parent
    qa_path = root / "qa.jsonl"
    if not root.is_dir():
        raise PackError(f"no pack folder at {root}; a pack is a folder with corpus/ and qa.jsonl.")
    if not qa_path.is_file():
        raise PackError(f"{root} has no qa.jsonl; a pack is a folder with corpus/ and qa.jsonl.")
    meta = {}
    if (root / "pack.json").is_file():
        try:
            meta = json.loads((root / "pack.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise PackError(f"{root / 'pack.json'} is not valid JSON: {error}") from None
    if corpus is not None:
        corpus_dir = Path(corpus).expanduser()
    elif meta.get("corpus"):
        corpus_dir = root / meta["corpus"]
    else:
        corpus_dir = root / "corpus"
    corpus_dir = corpus_dir.resolve()
    if not corpus_dir.is_dir():
        raise PackError(f"the corpus folder {corpus_dir} does not exist; give one with --corpus.")

    digest = hashlib.sha256(qa_path.read_bytes())
    facts: dict[str, tuple[str, ...]] = {}
    evidence_path = root / "evidence.jsonl"
    if evidence_path.is_file():
        digest.update(evidence_path.read_bytes())
        for row in _read_jsonl(evidence_path):
            items = row.get("evidence") or []
            facts[str(row.get("id"))] = tuple(e["fact"] for e in items if isinstance(e, dict) and e.get("fact"))

    questions, seen = [], set()
    for number, row in enumerate(_read_jsonl(qa_path), start=1):
        where = f"{qa_path}:{number}"
        for key in ("id", "question"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise PackError(f"{where}: {key!r} is missing or empty.")
        if row["id"] in seen:
            raise PackError(f"{where}: the id {row['id']!r} is used twice.")
        seen.add(row["id"])
        answer = row.get("answer")
        questions.append(Question(
            id=row["id"], question=row["question"].strip(),
            answer="" if answer is None else str(answer),
            sources=_strings(row.get("sources"), where, "sources"),
            type=str(row.get("type") or "unknown"),
            aliases=_strings(row.get("aliases"), where, "aliases"),
            facts=facts.get(row["id"], ()),
        ))
    if not questions:
        raise PackError(f"{qa_path} holds no questions.")
    name = str(meta.get("name") or root.name)
    return Pack(name, root.resolve(), corpus_dir, questions, bool(facts), digest.hexdigest()[:12])
