"""Fault matrix, bad files (issue 10): one corpus folder mixes good articles with the files a real
folder of articles collects by accident. Ingest must index every good file, skip every bad one by
name with a reason the user can act on, and never read anything outside the folder.

Good: names with spaces, unicode and a newline; Latin-1; UTF-16 LE and BE and UTF-32 with a BOM;
an article padded with 4 KB of NUL bytes (a crashed write); HTML with a <script>; a file in a
subfolder; a link to a file inside the folder (followed, indexed under the link's name).

Bad: random bytes, a PNG, a PDF, a DOCX, a 0-byte file, a whitespace-only file, a 30 MB (sparse) file,
one very long line, a symlink loop, a broken link, a link to /etc/passwd and a link to a folder
outside, a name that is not UTF-8, a PDF with a newline in its name. Hidden files stay unmentioned.

Checked through ``rag.ingest`` and once through the real ``newsqa ingest`` command; real embedder,
real Chroma on a temp dir, ingested once for the module.
"""

import json
import os
import random
from pathlib import Path

import pytest

import rag
from rag import Settings
from rag.corpus import SkippedFile, parse_article
from rag.ingest import IngestReport
from rag.store import Index
from tests.test_cli import newsqa

OUTSIDE_SECRET = "The outside ledger says the vault code is 4471."
SCRIPT_MARKER = "SCRIPT-MARKER-7731"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06" + bytes(range(256)) * 8
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 4
DOCX_BYTES = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml" + bytes(range(256)) * 4
NOT_UTF8_NAME = os.fsdecode(b"caf\xe9-report.txt")


def story(topic: str, paragraphs: int = 3) -> str:
    return "\n\n".join(
        f"The {topic} committee met for session {n} on Tuesday. Members of the {topic} committee voted "
        f"seven to two on motion {n * 11}. A spokesperson said the {topic} plan would be reviewed again."
        for n in range(paragraphs)
    ) + "\n"


def html_page(topic: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in story(topic).split("\n\n"))
    return (f"<html><head><title>{topic.title()} committee votes</title>"
            f"<script>var token = '{SCRIPT_MARKER}'; document.write(token);</script></head>"
            f"<body><article><h1>{topic.title()} committee votes</h1>{paragraphs}</article></body></html>")


GOOD = {
    "council meeting notes.txt": lambda: story("harbour").encode(),
    "Zürich café – 東京.md": lambda: f"# Café news\n\n{story('café')}".encode(),
    "two\nlines.txt": lambda: story("railway").encode(),
    "latin1.txt": lambda: f"Title: Señor Núñez reopens the café\n\n{story('fiesta')}".encode("latin-1"),
    "utf16-le.txt": lambda: f"Title: Ünïcode sixteen\n\n{story('water')}".encode("utf-16"),
    "utf16-be.txt": lambda: b"\xfe\xff" + story("school").encode("utf-16-be"),
    "utf32.txt": lambda: story("library").encode("utf-32"),
    "nul-padded.txt": lambda: story("bridge").encode() + b"\x00" * 4096,
    "page.html": lambda: html_page("market").encode(),
    "nested/deeper.txt": lambda: story("clinic").encode(),
}
LINKED_INSIDE = "link to notes.txt"  # -> "council meeting notes.txt"

SKIPPED = {  # name: what its reason must say
    "random.txt": "binary",
    "scan.png": "PNG image is not supported",
    "report.pdf": "PDF is not supported (convert it to .txt)",
    "broken\nname.pdf": "PDF is not supported",
    "letter.docx": "Word document is not supported",
    "empty.txt": "empty file",
    "blank.md": "no article text",
    "huge.txt": "too large (30.0 MB",
    "one-line.txt": "no line break",
    "loop-a.txt": "symlink loop",
    "loop-b.txt": "symlink loop",
    "dangling.txt": "broken link",
    "passwd.txt": "outside the corpus folder",
    "elsewhere": "outside the corpus folder",
    NOT_UTF8_NAME: "not valid UTF-8",
}


def build_matrix(folder: Path, outside: Path) -> None:
    for name, make in GOOD.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(make())
    (folder / LINKED_INSIDE).symlink_to("council meeting notes.txt")

    (folder / "random.txt").write_bytes(random.Random(10).randbytes(20_000))
    (folder / "scan.png").write_bytes(PNG_BYTES)
    (folder / "report.pdf").write_bytes(PDF_BYTES)
    (folder / "broken\nname.pdf").write_bytes(PDF_BYTES)
    (folder / "letter.docx").write_bytes(DOCX_BYTES)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("  \n\n\t \n")
    with open(folder / "huge.txt", "wb") as huge:
        huge.truncate(30_000_000)  # sparse: 30 MB in size, nothing written
    (folder / "one-line.txt").write_text("word " * 60_000)  # 300 KB without a line break
    (folder / "loop-a.txt").symlink_to("loop-b.txt")
    (folder / "loop-b.txt").symlink_to("loop-a.txt")
    (folder / "dangling.txt").symlink_to("no-such-file.txt")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "elsewhere").symlink_to(outside, target_is_directory=True)
    (folder / NOT_UTF8_NAME).write_text(story("bakery"))
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(100))
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "notes.txt").write_text(story("secret"))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    """The matrix folder, its settings and the report of one ingest of it."""
    base = tmp_path_factory.mktemp("fault-files")
    outside = base / "outside"
    outside.mkdir()
    (outside / "ledger.txt").write_text(f"{OUTSIDE_SECRET}\n\n{story('vault')}")
    folder = base / "corpus"
    folder.mkdir()
    build_matrix(folder, outside)
    settings = Settings.load(data_dir=base / "data")
    return folder, settings, rag.ingest(folder, settings=settings, progress=False)


def indexed_chunks(settings: Settings) -> list[tuple[str, str]]:
    index = Index(settings)
    try:
        return list(index.db.execute("SELECT file, text FROM chunks"))
    finally:
        index.close()


def test_each_bad_file_is_skipped_by_name_with_its_reason(matrix):
    _, _, report = matrix
    reasons = dict(report.skipped)

    assert set(reasons) == set(SKIPPED), report.summary()
    for name, expected in SKIPPED.items():
        assert expected in reasons[name], (name, reasons[name])
    assert len(report.skipped) == len(SKIPPED)  # each once, hidden files not at all


def test_every_good_file_is_indexed_and_nothing_from_outside(matrix):
    _, settings, report = matrix
    good = set(GOOD) | {LINKED_INSIDE}

    assert set(report.added) == good, report.summary()
    assert report.total_files == len(good)
    chunks = indexed_chunks(settings)
    assert {file for file, _ in chunks} == good
    assert report.total_chunks == len(chunks)
    text = "\n".join(chunk for _, chunk in chunks)
    for foreign in ("root:", OUTSIDE_SECRET, "vault", "secret committee", SCRIPT_MARKER, "bakery"):
        assert foreign not in text
    assert "\x00" not in text and "\ufeff" not in text


def test_odd_encodings_and_nul_padding_keep_their_text(matrix):
    _, settings, _ = matrix
    by_file = {}
    for file, chunk in indexed_chunks(settings):
        by_file.setdefault(file, []).append(chunk)

    for name, topic in [("latin1.txt", "fiesta"), ("utf16-le.txt", "water"), ("utf16-be.txt", "school"),
                        ("utf32.txt", "library"), ("nul-padded.txt", "bridge"), ("page.html", "market")]:
        joined = " ".join(by_file[name])
        assert f"Members of the {topic} committee voted seven to two" in joined, name
        assert joined.rstrip().endswith("would be reviewed again."), name


def test_the_summary_keeps_one_line_per_skipped_file_with_names_escaped(matrix):
    _, _, report = matrix
    lines = report.summary().split("\n")

    assert f"{len(SKIPPED)} skipped" in lines[0]
    assert all(line.startswith("  skipped ") for line in lines[1:]), lines
    assert "  skipped broken\\nname.pdf: PDF is not supported (convert it to .txt)" in lines
    assert "  skipped caf\\xe9-report.txt: its path is not valid UTF-8 (rename it)" in lines
    assert len(lines) == 1 + len(SKIPPED)


def test_the_ingest_command_reports_the_same(matrix, tmp_path):
    folder, _, _ = matrix

    result = newsqa("ingest", str(folder), "--quiet", data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().split("\n")
    assert f"{len(GOOD) + 1} added" in lines[0] and f"{len(SKIPPED)} skipped" in lines[0]
    assert "  skipped passwd.txt: a link outside the corpus folder (not read)" in lines
    assert "  skipped loop-a.txt: a symlink loop (the link never reaches a file)" in lines
    assert "  skipped report.pdf: PDF is not supported (convert it to .txt)" in lines
    assert "  skipped broken\\nname.pdf: PDF is not supported (convert it to .txt)" in lines
    assert len(lines) == 1 + len(SKIPPED)
    status = json.loads(newsqa("status", data_dir=tmp_path).stdout)
    assert status["files"] == len(GOOD) + 1 and status["chunks"] == status["vectors"] > 0


def test_a_file_replaced_by_a_link_out_of_the_folder_leaves_the_index(tmp_path, settings):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "notes.txt").write_text(story("harbour"))
    (folder / "passwd.txt").write_text(story("railway"))
    rag.ingest(folder, settings=settings, progress=False)
    (folder / "passwd.txt").unlink()
    (folder / "passwd.txt").symlink_to("/etc/passwd")

    report = rag.ingest(folder, settings=settings, progress=False)

    assert report.removed == ["passwd.txt"]
    assert report.skipped == [("passwd.txt", "a link outside the corpus folder (not read)")]
    assert {file for file, _ in indexed_chunks(settings)} == {"notes.txt"}


def test_many_files_with_one_reason_fold_into_one_line():
    pdfs = [(f"scans/page-{n:04d}.pdf", "PDF is not supported (convert it to .txt)") for n in range(1200)]
    report = IngestReport(corpus=Path("/news"), skipped=[("a\tb.txt", "empty file"), *pdfs])

    lines = report.summary().split("\n")[1:]

    assert lines == [
        "  skipped a\\tb.txt: empty file",
        ("  skipped 1200 files, PDF is not supported (convert it to .txt): scans/page-0000.pdf, "
         "scans/page-0001.pdf, scans/page-0002.pdf and 1197 more"),
    ]


@pytest.mark.parametrize("data", [
    story("bridge").encode() + b"\x00" * 4096,  # shorter than the 8 KB looked at for binary content
    story("bridge", paragraphs=60).encode() + b"\x00" * 4096,  # longer
    story("bridge").encode("utf-16") + b"\x00" * 4095,  # padding that splits a UTF-16 unit
], ids=["short", "long", "utf-16"])
def test_trailing_nul_padding_is_dropped_and_the_text_kept(data):
    article = parse_article("crashed.txt", data)

    assert "\x00" not in article.text
    assert article.text.rstrip().endswith("would be reviewed again.")


@pytest.mark.parametrize("data,reason", [
    (random.Random(3).randbytes(50_000), "binary"),
    (b"\x00" * 4096, "only NUL bytes"),
    (story("bridge").encode() + b"\x00" * 64 + story("rail").encode(), "binary"),
    (("A" * 250_000 + "\n").encode(), "no line break"),
], ids=["random", "all-nul", "nul-inside", "one-line"])
def test_what_is_not_article_text_is_refused(data, reason):
    with pytest.raises(SkippedFile, match=reason):
        parse_article("odd.txt", data)


def test_a_long_article_in_paragraphs_passes():
    data = story("harbour", paragraphs=1200).encode()  # about 220 KB

    assert len(data) > 200_000
    assert parse_article("feature.txt", data).text.count("\n\n") == 1199
