"""Read a folder of news articles into :class:`Article` records.

A file's path relative to the corpus root is its identity and its citation
key. Header lines such as ``Title:`` or ``Source:`` become metadata.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
HEADER_KEYS = {"title": "title", "source": "source", "published": "published", "date": "published", "url": "url"}
_HEADER_LINE = re.compile(r"^([A-Za-z]+):[ \t]*(.*)$")


@dataclass(frozen=True)
class CorpusFile:
    path: str  # relative to the corpus root, with '/' separators
    absolute: Path
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Article:
    path: str
    title: str
    source: str
    published: str
    url: str
    text: str  # the body, without header lines
    sha256: str


class SkippedFile(Exception):
    """A file that cannot be ingested; the message is the reason shown to the user."""


def scan_folder(root: Path) -> list[CorpusFile]:
    """Every article file under ``root``, recursively, sorted by path; hidden files are ignored."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"Corpus folder {root} does not exist or is not a folder.")
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            absolute = Path(dirpath) / name
            try:
                stat = absolute.stat()
            except OSError:
                continue  # vanished between listing and stat
            rel = absolute.relative_to(root).as_posix()
            found.append(CorpusFile(rel, absolute, stat.st_size, stat.st_mtime_ns))
    return sorted(found, key=lambda f: f.path)


def read_bytes(file: CorpusFile, max_bytes: int) -> bytes:
    if file.size > max_bytes:
        raise SkippedFile(f"too large ({file.size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
    if file.size == 0:
        raise SkippedFile("empty file")
    try:
        return file.absolute.read_bytes()
    except OSError as exc:
        raise SkippedFile(f"cannot be read ({exc.strerror or exc})") from None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_article(path: str, data: bytes) -> Article:
    """The article in ``data``; raises :class:`SkippedFile` when it holds no usable text."""
    text = _decode(data)
    if path.lower().endswith((".html", ".htm")):
        meta, body = _from_html(text)
    else:
        meta, body = _split_headers(text)
        if not meta.get("title"):
            meta["title"] = _first_line_title(body)
    if not body.strip():
        raise SkippedFile("no article text")
    return Article(
        path=path,
        title=meta.get("title", "") or Path(path).stem,
        source=meta.get("source", ""),
        published=meta.get("published", ""),
        url=meta.get("url", ""),
        text=body,
        sha256=content_hash(data),
    )


def _decode(data: bytes) -> str:
    head = data[:8192]
    if b"\x00" in head:
        raise SkippedFile("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older news archives are often Windows-1252; anything else is not text we can trust.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise SkippedFile("not UTF-8 or Windows-1252 text") from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise SkippedFile("binary file (mostly control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_headers(text: str) -> tuple[dict[str, str], str]:
    """Leading ``Key: value`` lines (known keys only) up to a blank line, and the rest."""
    meta: dict[str, str] = {}
    lines = text.split("\n")
    consumed = 0
    for line in lines:
        match = _HEADER_LINE.match(line.strip())
        if match and match.group(1).lower() in HEADER_KEYS:
            meta[HEADER_KEYS[match.group(1).lower()]] = match.group(2).strip()
            consumed += 1
            continue
        break
    if not meta or (consumed < len(lines) and lines[consumed].strip()):
        return {}, text  # no header block: the text starts with prose that merely has a colon
    return meta, "\n".join(lines[consumed:]).strip("\n")


def _first_line_title(body: str) -> str:
    for line in body.split("\n"):
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


def _from_html(html: str) -> tuple[dict[str, str], str]:
    try:
        import trafilatura
    except ImportError as exc:  # e.g. lxml>=5.2 without lxml_html_clean, which trafilatura's justext needs
        raise SkippedFile(f"HTML needs trafilatura, which cannot be imported ({exc})") from None

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if not extracted:
        return {}, ""
    doc = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    meta = {
        "title": doc.get("title") or "",
        "source": doc.get("sitename") or "",
        "published": doc.get("date") or "",
        "url": doc.get("url") or "",
    }
    return meta, (doc.get("text") or "").strip()
