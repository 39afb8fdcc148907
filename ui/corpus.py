"""The corpus behind the page: what it holds, example questions about it, and safe uploads into it."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rag import IndexStatus, Settings
from rag.corpus import SkippedFile, parse_article

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".markdown")
UPLOAD_DIR = "uploads"  # inside the corpus folder
MAX_FILES_PER_UPLOAD = 50
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

# Questions the seeds answer; shown when those articles are in the index.
SEED_EXAMPLES = {
    "000_292fd3b520f9e7bf.txt": [
        "Who is the CEO of Midjourney?",
        "On which platform did Alexandr Wang announce the partnership?",
    ],
    "002_9fa7e93374a12477.txt": [
        "Which company had earlier discussions with Midjourney that did not become a formal agreement?",
        "Does the partnership give Meta a stake in Midjourney?",
    ],
}


class UploadRejected(Exception):
    """A file that is not added; the message says why, in words for the user."""


def sanitize_filename(name: str) -> str:
    """A safe file name for ``name``: no folders, no hidden or odd characters, a known suffix, <= 100 chars.

    Raises :class:`UploadRejected` when the type is not an article type.
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "." + suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        shown = suffix if suffix != "." else "no extension"
        raise UploadRejected(f"not an article type ({shown}); upload .txt, .md or .html files")
    stem = _UNSAFE.sub("_", stem).strip("._- ")[:90] or "article"
    return stem + suffix


@dataclass
class UploadResult:
    saved: list[str] = field(default_factory=list)  # paths relative to the corpus folder
    same: list[str] = field(default_factory=list)  # identical to a file already there
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (name as uploaded, reason)


def save_uploads(paths: list[str | Path], corpus_root: Path, max_bytes: int) -> UploadResult:
    """Copies uploaded files into ``corpus_root/uploads``; bad files are rejected one by one."""
    result = UploadResult()
    target_dir = Path(corpus_root) / UPLOAD_DIR
    if not _inside(target_dir, corpus_root):
        result.rejected += [(Path(p).name, f"{UPLOAD_DIR}/ leads out of the corpus folder") for p in paths]
        return result
    if len(paths) > MAX_FILES_PER_UPLOAD:
        for p in paths[MAX_FILES_PER_UPLOAD:]:
            result.rejected.append((Path(p).name, f"more than {MAX_FILES_PER_UPLOAD} files in one upload"))
        paths = paths[:MAX_FILES_PER_UPLOAD]
    for raw in paths:
        source = Path(raw)
        shown = source.name
        try:
            name = sanitize_filename(shown)
            size = source.stat().st_size
            if size > max_bytes:
                raise UploadRejected(f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
            if size == 0:
                raise UploadRejected("empty file")
            data = source.read_bytes()
            try:
                parse_article(name, data)
            except SkippedFile as reason:
                raise UploadRejected(f"not a readable article: {reason}") from None
            target_dir.mkdir(parents=True, exist_ok=True)
            target, same = _free_name(target_dir, name, data)
            rel = target.relative_to(corpus_root).as_posix()
            if same:
                result.same.append(rel)
                continue
            _write_atomically(target, data)
            result.saved.append(rel)
        except UploadRejected as reason:
            result.rejected.append((shown, str(reason)))
        except OSError as exc:
            result.rejected.append((shown, f"could not be saved ({exc.strerror or exc})"))
        except ValueError:  # a NUL in the name: no file system takes it
            result.rejected.append((shown.replace("\0", "\\0"), "the name holds a NUL character"))
    return result


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links followed, stays in ``root``: an uploads/ that links elsewhere must not be written."""
    resolved, root = Path(path).resolve(), Path(root).resolve()
    return resolved == root or root in resolved.parents


def _free_name(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Where to put ``name``: itself, or name-2, name-3... when another file holds it; True if identical."""
    stem, suffix = os.path.splitext(name)
    for n in range(1, 1000):
        candidate = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        if not candidate.exists():
            return candidate, False
        if candidate.is_file() and candidate.read_bytes() == data:
            return candidate, True
    raise UploadRejected("too many files with this name")


def _write_atomically(target: Path, data: bytes) -> None:
    # A hidden temp file in the same folder: ingest ignores it, and the rename is atomic.
    handle, temp = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def example_questions(titles: dict[str, str], limit: int = 5) -> list[str]:
    """Example questions for the files in the index: newest uploads first (from their titles), then the seeds'."""
    seeded = [q for file in titles for q in SEED_EXAMPLES.get(Path(file).name, [])]
    room = 2 if seeded else limit
    questions: list[str] = []
    for file, title in reversed(list(titles.items())):
        if Path(file).name in SEED_EXAMPLES or not title or len(questions) >= room:
            continue
        short = title if len(title) <= 80 else title[:77].rsplit(" ", 1)[0] + "…"
        questions.append(f"What does the article “{short}” report?")
    return (questions + seeded)[:limit]


def corpus_figures(now: IndexStatus, settings: Settings) -> dict:
    """The index's figures as the Corpus tab and /corpus show them."""
    return {
        "articles": now.articles,
        "chunks": now.chunks,
        "last_ingested": _readable_time(now.last_ingested),
        "corpus": now.corpus or str(settings.corpus or ""),
        "titles": now.titles,
    }


def _readable_time(stamp: str | None) -> str | None:
    if not stamp:
        return None
    return stamp.replace("T", " ").replace("+00:00", " UTC")
