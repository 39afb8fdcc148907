"""Read a folder of news articles into :class:`Article` records.

A file's path relative to the corpus root is its identity and its citation
key. Header lines such as ``Title:`` or ``Source:`` become metadata.

Nothing outside the corpus folder is read: a link that leads out of it is
skipped, and so are symlink loops and broken links. A link to a file inside the
folder is followed (the file is indexed under the link's name as well); links to
folders are never walked. Every file passed over is reported with why, except
hidden files and the clutter operating systems leave in folders.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .errors import CorpusError

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
READS = "newsqa reads .txt, .md, .markdown, .html and .htm"
CLUTTER = {"thumbs.db", "desktop.ini"}  # written by Windows into any folder it shows; never articles
NOT_ARTICLES = {  # suffix: (what the file is, what the user can do about it)
    ".pdf": ("PDF", "convert it to .txt"),
    ".doc": ("Word document", "save it as .txt"),
    ".docx": ("Word document", "save it as .txt"),
    ".odt": ("OpenDocument text", "save it as .txt"),
    ".rtf": ("RTF document", "save it as .txt"),
    **{suffix: ("archive", "unpack it into the folder") for suffix in (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar")},
}
IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".svg", ".ico"}
# No paragraph of news runs this long (a 30,000-word feature on one line still fits); a data dump or
# minified blob saved as .txt does, and would become thousands of chunks.
LONGEST_LINE = 200_000
_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le", 4),
    (codecs.BOM_UTF32_BE, "utf-32-be", 4),
    (codecs.BOM_UTF16_LE, "utf-16-le", 2),
    (codecs.BOM_UTF16_BE, "utf-16-be", 2),
)
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


class Scan(NamedTuple):
    files: list[CorpusFile]
    skipped: list[tuple[str, str]]  # (path, reason)


def scan_folder(root: Path) -> Scan:
    """Every article file under ``root``, recursively, sorted by path, and the files passed over, with why."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"Corpus folder {root} does not exist or is not a folder.")
    real_root = root.resolve()
    found, skipped = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        folder = Path(dirpath)
        linked = [d for d in dirnames if (folder / d).is_symlink()]
        dirnames[:] = sorted(d for d in dirnames if _visible(d) and d not in linked)
        for name in linked + filenames:
            if not _visible(name):
                continue
            absolute = folder / name
            rel = absolute.relative_to(root).as_posix()
            entry = _examine(absolute, rel, real_root)
            if isinstance(entry, CorpusFile):
                found.append(entry)
            elif entry:
                skipped.append((rel, entry))
    return Scan(sorted(found, key=lambda f: f.path), sorted(skipped))


def _visible(name: str) -> bool:
    return not name.startswith(".") and name.lower() not in CLUTTER


def _examine(absolute: Path, rel: str, real_root: Path) -> CorpusFile | str | None:
    """The article file at ``absolute``, or the reason it is skipped; None if it vanished meanwhile."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return "its path is not valid UTF-8 (rename it)"
    is_link = absolute.is_symlink()
    target = Path(os.path.realpath(absolute)) if is_link else absolute
    if is_link and not target.is_relative_to(real_root):
        return "a link outside the corpus folder (not read)"
    try:
        info = absolute.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink loop (the link never reaches a file)"
        return "a broken link (what it points to does not exist)" if is_link else None
    if stat.S_ISDIR(info.st_mode):
        return "a link to a folder (links to folders are not walked)"
    if not absolute.name.lower().endswith(SUFFIXES):
        return unsupported_reason(absolute.name)
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device)"
    return CorpusFile(rel, target, info.st_size, info.st_mtime_ns)


def unsupported_reason(name: str) -> str:
    """Why a file of this type is not read, in the same words for every file of the type."""
    suffix = Path(name).suffix.lower()
    if suffix in IMAGES:
        return f"{suffix[1:].upper()} image is not supported (images hold no article text)"
    what, advice = NOT_ARTICLES.get(suffix, (f"'{suffix}' file" if suffix else "a file without an extension", READS))
    return f"{what} is not supported ({advice})"


def printable(text: str) -> str:
    """``text`` fit for one line of a report: control characters escaped as Python writes them (``\\n``),
    bytes of a name that were not UTF-8 as ``\\xe9``."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    if "\udc80" <= ch <= "\udcff":  # how os.fsdecode keeps an undecodable byte
        return f"\\x{ord(ch) - 0xdc00:02x}"
    return ch.encode("unicode_escape").decode("ascii")


def read_bytes(file: CorpusFile, max_bytes: int) -> bytes:
    if file.size > max_bytes:
        raise _too_large(f"{file.size / 1e6:.1f} MB", max_bytes)
    if file.size == 0:
        raise SkippedFile("empty file")
    try:
        # Not following a link here: a file swapped for one since the scan must not lead out of the folder.
        handle = os.open(file.absolute, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, "rb") as opened:
            data = opened.read(max_bytes + 1)
    except OSError as exc:
        raise SkippedFile(f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:  # it grew since the scan
        raise _too_large(f"more than {max_bytes / 1e6:.1f} MB", max_bytes)
    return data


def _too_large(size: str, max_bytes: int) -> SkippedFile:
    return SkippedFile(f"too large ({size}; the limit is {max_bytes / 1e6:.1f} MB, NEWSQA_MAX_FILE_MB)")


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
    longest = max(map(len, body.split("\n")))
    if longest > LONGEST_LINE:
        raise SkippedFile(f"no line break in {longest:,} characters: not article text (articles come in paragraphs)")
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
    text = _decode_marked(data)
    if text is None:
        stripped = data.rstrip(b"\x00")  # the padding a crashed write leaves; the text before it is sound
        if data and not stripped:
            raise SkippedFile("only NUL bytes (a write that never finished?)")
        if b"\x00" in stripped:
            raise SkippedFile("binary file (contains NUL bytes)")
        text = _decode_unmarked(stripped)
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise SkippedFile("binary file (mostly control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_marked(data: bytes) -> str | None:
    """UTF-16 or UTF-32 text that starts with a byte order mark; None without one."""
    for bom, encoding, width in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            body = body[:len(body) - len(body) % width]  # NUL padding need not end on a whole character
            try:
                text = body.decode(encoding).rstrip("\x00")
            except UnicodeDecodeError:
                raise SkippedFile(f"not valid {encoding[:6].upper()} text, though it starts like it") from None
            if "\x00" in text:
                raise SkippedFile("binary file (contains NUL characters)")
            return text
    return None


def _decode_unmarked(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older news archives are often Windows-1252; anything else is not text we can trust.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise SkippedFile("not UTF-8 or Windows-1252 text") from None


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
