"""A user drops files in the articles folder: what newsqa reads from each, what it skips and why,
and how an article is cut into passages."""

import os
import shutil

import pytest

import rag
from rag.chunking import chunk_article
from rag.corpus import SkippedFile, parse_article
from rag.store import Index
from tests.conftest import MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT, SEEDS

BRIDGE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Harbour Bridge Reopens After Six-Month Repair | The Coastal Herald</title>
  <meta property="og:site_name" content="The Coastal Herald">
  <meta property="article:published_time" content="2024-03-14T09:30:00Z">
</head>
<body>
  <header>
    <nav><ul>
      <li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li>
      <li><a href="/subscribe">Subscribe to our newsletter</a></li>
    </ul></nav>
  </header>
  <main>
    <article>
      <h1>Harbour Bridge Reopens After Six-Month Repair</h1>
      <p>The Harbour Bridge reopened to traffic on Thursday morning after six months of repairs that cost
      the city 48 million dollars, officials said.</p>
      <p>Engineers replaced 212 steel cables and resurfaced the entire deck. The work was finished two weeks
      ahead of schedule, according to the city transport office.</p>
      <p>Commuters who had faced detours of up to forty minutes welcomed the news. "My drive to work is finally
      back to normal," said Ana Ruiz, a nurse who lives in the northern suburbs.</p>
      <p>The mayor said a new inspection program would check the bridge every year from now on.</p>
    </article>
  </main>
  <footer>
    <p>&copy; 2024 The Coastal Herald. All rights reserved.</p>
    <p><a href="/privacy">Privacy policy</a> &middot; <a href="/contact">Contact us</a></p>
  </footer>
</body>
</html>
"""

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00" + bytes(range(256)) * 8


def _sentences(n: int, topic: str) -> str:
    return " ".join(f"The {topic} council met on day {i} and voted on item {i * 7}." for i in range(n))


# -- headers and titles ---------------------------------------------------------------------------


def test_header_lines_become_metadata_and_leave_the_body():
    data = (
        "Title: Harbour Bridge Reopens\n"
        "Source: The Coastal Herald\n"
        "Published: 2024-03-14\n"
        "URL: https://example.com/news/bridge\n"
        "\n"
        "The Harbour Bridge reopened on Thursday.\n"
        "\n"
        "Engineers replaced 212 cables.\n"
    ).encode()

    article = parse_article("local/bridge.txt", data)

    assert article.title == "Harbour Bridge Reopens"
    assert article.source == "The Coastal Herald"
    assert article.published == "2024-03-14"
    assert article.url == "https://example.com/news/bridge"
    assert article.text.startswith("The Harbour Bridge reopened on Thursday.")
    assert "Engineers replaced 212 cables." in article.text
    for header in ("Title:", "Source:", "Published:", "URL:", "Coastal Herald", "example.com"):
        assert header not in article.text


def test_windows_line_endings_and_a_bom_do_not_hide_the_headers():
    data = "\ufeffTitle: Harbour Bridge Reopens\r\nSource: The Coastal Herald\r\n\r\nThe bridge reopened.\r\n"

    article = parse_article("bridge.txt", data.encode("utf-8"))

    assert (article.title, article.source) == ("Harbour Bridge Reopens", "The Coastal Herald")
    assert article.text == "The bridge reopened."


@pytest.mark.parametrize("name,title", [
    (MIDJOURNEY_GADGETS, "Meta’s Chief AI Officer, Alexandr Wang, said that it is a technical collaboration "
                         "between Meta and Midjourney."),
    (MIDJOURNEY_VENTUREBEAT, "Meta Partners with Midjourney to License AI Tech for Future Models"),
])
def test_a_seed_file_without_headers_takes_its_title_from_the_first_line(name, title):
    data = (SEEDS / name).read_bytes()

    article = parse_article(name, data)

    assert article.title == title
    assert (article.source, article.published, article.url) == ("", "", "")
    assert article.text.strip() == data.decode("utf-8").strip()  # nothing taken out of the body


@pytest.mark.parametrize("text", [
    # an unknown "key", even with a blank line after it, as a header block would have
    "Breaking: the Harbour Bridge reopened on Thursday after six months of repairs.\n\n"
    "Engineers replaced 212 steel cables.",
    # a known key, but prose follows without the blank line that ends a header block
    "Source: a city official said on Thursday that the bridge would reopen.\n"
    "The repairs cost 48 million dollars.",
    "WASHINGTON: The Senate passed the bridge funding bill on Thursday.\nIt now goes to the House.",
])
def test_prose_with_a_colon_on_its_first_line_is_not_a_header(text):
    article = parse_article("story.txt", text.encode())

    first_line = text.split("\n")[0]
    assert article.text == text
    assert article.title == first_line
    assert (article.source, article.published, article.url) == ("", "", "")


def test_a_markdown_article_takes_its_title_from_the_heading():
    text = "# Harbour Bridge Reopens\n\nThe bridge reopened on Thursday.\n\n## Cost\n\nIt cost 48 million dollars.\n"

    article = parse_article("notes/bridge.md", text.encode())

    assert article.title == "Harbour Bridge Reopens"
    assert "It cost 48 million dollars." in article.text


def test_an_html_page_yields_the_article_without_navigation_or_footer():
    try:
        import trafilatura  # noqa: F401
    except ImportError as exc:  # trafilatura's justext needs lxml_html_clean with lxml >= 5.2
        pytest.skip(f"trafilatura cannot be imported here: {exc}")

    article = parse_article("web/bridge.html", BRIDGE_HTML.encode())

    assert "Harbour Bridge Reopens" in article.title
    assert article.source == "The Coastal Herald"
    assert article.published.startswith("2024-03-14")
    for paragraph in ("reopened to traffic on Thursday morning", "Engineers replaced 212 steel cables",
                      "said Ana Ruiz", "inspection program would check the bridge every year"):
        assert paragraph in article.text
    for boilerplate in ("Subscribe to our newsletter", "All rights reserved", "Privacy policy", "Contact us",
                        "<p>", "<article>"):
        assert boilerplate not in article.text


def test_an_html_page_dropped_in_the_folder_is_indexed_or_skipped_with_a_reason(tmp_path, settings):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / MIDJOURNEY_VENTUREBEAT, folder / MIDJOURNEY_VENTUREBEAT)
    (folder / "bridge.html").write_text(BRIDGE_HTML, encoding="utf-8")

    report = rag.ingest(folder, settings=settings, progress=False)

    try:
        import trafilatura  # noqa: F401
    except ImportError:
        # A broken HTML extractor costs the HTML file, never the whole run.
        assert report.added == [MIDJOURNEY_VENTUREBEAT]
        assert [path for path, _ in report.skipped] == ["bridge.html"]
        assert "trafilatura" in report.skipped[0][1]
        return
    assert sorted(report.added) == sorted([MIDJOURNEY_VENTUREBEAT, "bridge.html"]) and not report.skipped
    index = Index(settings)
    try:
        texts = " ".join(row[0] for row in index.db.execute("SELECT text FROM chunks WHERE file='bridge.html'"))
    finally:
        index.close()
    assert "Engineers replaced 212 steel cables" in texts
    assert "All rights reserved" not in texts and "Subscribe to our newsletter" not in texts


# -- bad files ------------------------------------------------------------------------------------


def test_bad_files_are_skipped_with_a_reason_and_the_good_ones_are_indexed(tmp_path, settings):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in (MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT):
        shutil.copy(SEEDS / name, folder / name)
    (folder / "scan.txt").write_bytes(PNG_BYTES)
    (folder / "control.txt").write_bytes(bytes(range(1, 32)) * 40)  # no NULs, yet not text
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("   \n\n\t  \n \n")
    (folder / "huge.txt").write_bytes((b"The council met again and voted again.\n" * 520_000)[:20_000_000])
    (folder / "photo.png").write_bytes(PNG_BYTES)  # not an article type: reported, never read
    cafe = "Title: Café society returns to Zürich\n\nThe café on Bahnhofstraße reopened — prices rose by €2, “modestly”.\n"
    (folder / "cafe.txt").write_bytes(cafe.encode("cp1252"))

    report = rag.ingest(folder, settings=settings, progress=False)

    reasons = dict(report.skipped)
    assert set(reasons) == {"scan.txt", "control.txt", "empty.txt", "blank.md", "huge.txt", "photo.png"}, report.summary()
    assert "binary" in reasons["scan.txt"]
    assert "binary" in reasons["control.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "no article text" in reasons["blank.md"]
    assert "too large" in reasons["huge.txt"] and "20.0 MB" in reasons["huge.txt"]
    assert "PNG image is not supported" in reasons["photo.png"]
    assert sorted(report.added) == sorted([MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT, "cafe.txt"])
    assert report.total_files == 3
    for path, reason in report.skipped:
        assert f"skipped {path}: {reason}" in report.summary()

    index = Index(settings)
    try:
        assert index.chunk_count() > 0 and index.vector_count() == index.chunk_count()
        assert set(index.files()) == {MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT, "cafe.txt"}
        title, text = index.db.execute("SELECT title, text FROM chunks WHERE file='cafe.txt'").fetchone()
        assert title == "Café society returns to Zürich"
        assert text == "The café on Bahnhofstraße reopened — prices rose by €2, “modestly”."
    finally:
        index.close()


def test_latin1_text_is_decoded():
    data = "Zoë Brontë met the señor at the café.".encode("latin-1")

    assert parse_article("old.txt", data).text == "Zoë Brontë met the señor at the café."


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_an_unreadable_file_is_skipped_and_the_rest_indexed(tmp_path, settings):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / MIDJOURNEY_VENTUREBEAT, folder / MIDJOURNEY_VENTUREBEAT)
    locked = folder / "locked.txt"
    locked.write_text("The council met on Thursday.\n")
    locked.chmod(0)
    try:
        report = rag.ingest(folder, settings=settings, progress=False)
    finally:
        locked.chmod(0o644)

    assert report.added == [MIDJOURNEY_VENTUREBEAT]
    assert len(report.skipped) == 1
    path, reason = report.skipped[0]
    assert path == "locked.txt" and "cannot be read" in reason


def test_parse_article_refuses_what_holds_no_text():
    with pytest.raises(SkippedFile, match="binary"):
        parse_article("scan.txt", PNG_BYTES)
    with pytest.raises(SkippedFile, match="no article text"):
        parse_article("headers-only.txt", b"Title: Nothing here\nSource: Nobody\n")


# -- chunking -------------------------------------------------------------------------------------


def _articles():
    seeds = [parse_article(p.name, p.read_bytes()) for p in sorted(SEEDS.iterdir())]
    paragraphs = "\n\n".join(_sentences(12, topic) for topic in ("harbour", "school", "rail", "water", "park"))
    generated = parse_article("generated.txt", f"Title: Council week\n\n{paragraphs}\n".encode())
    return seeds + [generated]


@pytest.mark.parametrize("chunk_size,chunk_overlap", [(256, 32), (128, 32), (64, 8)])
def test_each_chunk_is_the_exact_slice_of_the_body_its_offsets_name(chunk_size, chunk_overlap):
    for article in _articles():
        chunks = chunk_article(article, chunk_size, chunk_overlap)

        assert len(chunks) > 1, article.path  # several chunks, so offsets are put to the test
        assert [c.position for c in chunks] == list(range(len(chunks)))
        for chunk in chunks:
            assert 0 <= chunk.start < chunk.end <= len(article.text)
            assert article.text[chunk.start:chunk.end] == chunk.text
            assert (chunk.file, chunk.title) == (article.path, article.title)
        assert [c.start for c in chunks] == sorted(c.start for c in chunks)
        # together the chunks cover the whole body, apart from whitespace between them
        covered = set()
        for chunk in chunks:
            covered.update(range(chunk.start, chunk.end))
        assert all(article.text[i].isspace() for i in range(len(article.text)) if i not in covered)


@pytest.mark.parametrize("chunk_size", [256, 128, 64])
def test_chunks_respect_chunk_size_in_cl100k_tokens(chunk_size):
    import tiktoken

    encoding = tiktoken.get_encoding("cl100k_base")
    for article in _articles():
        sizes = [len(encoding.encode(c.text)) for c in chunk_article(article, chunk_size, 16)]

        assert max(sizes) <= chunk_size + 4, (article.path, sizes)  # the splitter may run a token over
        if len(sizes) > 2:
            assert max(sizes) > chunk_size // 2, (article.path, sizes)  # and does fill its chunks


def test_chunk_ids_are_unique_even_for_identical_files_under_two_names(tmp_path, settings):
    data = (SEEDS / MIDJOURNEY_GADGETS).read_bytes()
    first = chunk_article(parse_article("a/story.txt", data), 128, 16)
    copy = chunk_article(parse_article("b/story-copy.txt", data), 128, 16)

    assert [c.text for c in first] == [c.text for c in copy]
    ids = [c.id for c in first + copy]
    assert len(set(ids)) == len(ids)
    # the same file read twice keeps its ids, so an unchanged file maps to the same vectors
    assert [c.id for c in chunk_article(parse_article("a/story.txt", data), 128, 16)] == [c.id for c in first]

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "story.txt").write_bytes(data)
    (folder / "story-copy.txt").write_bytes(data)
    report = rag.ingest(folder, settings=settings, progress=False)
    index = Index(settings)
    try:
        per_file = index.files()
        assert per_file["story.txt"].chunks == per_file["story-copy.txt"].chunks > 0
        assert index.chunk_count() == index.vector_count() == 2 * per_file["story.txt"].chunks
        assert report.total_chunks == index.chunk_count()
    finally:
        index.close()
