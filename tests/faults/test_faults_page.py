"""Fault matrix, the page exposed (issue 10): `newsqa ui` beyond this machine, its login, uploads and file views.

One real `newsqa ui --host 127.0.0.1 --auth u:p` server for the module (loopback: the same code path as
0.0.0.0 once credentials are given, without opening a port to the network), on the openai backend at a
refused port so that no model loads:

- `--host 0.0.0.0` or `--share` without credentials refuses to start: exit 2, one line
- without logging in, the page holds no component, and its config, API info, the API endpoints (/ask,
  /ask_stream, /corpus through /call, /run and the queue), uploads and file views answer 401; the same
  routes answer once logged in, so the test hits real routes; the run history routes are off (404)
- 30 wrong passwords in a row: the first NEWSQA_LOGIN_ATTEMPTS get 400, the rest 429 at once; the right
  password is refused while locked and lets in once the lock is over; a wrong one after a lock locks twice
  as long; wrong guesses under other user names never lock the real one; in Python, with a fake clock,
  the lock doubles up to NEWSQA_LOGIN_LOCK_MAX_S
- Gradio's file route never serves a corpus article, /etc/passwd, `../` paths or a symlink, logged in or not;
  the page's article view (ui/render.py read_article_text) reads nothing outside the corpus folder:
  `../` paths, absolute paths, a symlinked file or folder leading out
- uploads with hostile names (`../../x.txt`, absolute paths, a NUL, 250 and 300 characters), oversize files,
  empty files, binaries named `.txt`, and an uploads/ folder that is a symlink out of the corpus: nothing
  is written outside the corpus's uploads/ folder and every refusal says why; through the real page
  (headless Chromium) the same names and a binary, each with its reason shown
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import SEEDS, free_port, seeds_copy, ui_process
from tests.test_cli import newsqa

httpx = pytest.importorskip("httpx")

USER, PASSWORD = "u", "p-4f9a"
LOCK_S = 3.0  # long enough that 30 requests on a busy machine all fall inside the first lock
ATTEMPTS = 5
ARTICLE = ("Title: Harbour ferry resumes\nSource: Test Wire\nPublished: 2026-11-20\n\n"
           "The harbour ferry resumed service on Sunday after a storm closed the port for a week.\n")
PROTECTED = [  # (method, path) of everything the page and its API serve
    ("GET", "config"),
    ("GET", "gradio_api/info"),
    ("GET", "gradio_api/openapi.json"),
    ("POST", "gradio_api/call/ask"),
    ("POST", "gradio_api/call/ask_stream"),
    ("POST", "gradio_api/call/corpus"),
    ("POST", "gradio_api/run/corpus"),
    ("POST", "gradio_api/queue/join"),
    ("GET", "gradio_api/queue/data?session_hash=x"),
    ("POST", "gradio_api/upload"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("page")
    corpus = seeds_copy(base)
    env = {"NEWSQA_LOGIN_LOCK_S": str(LOCK_S), "NEWSQA_LOGIN_ATTEMPTS": str(ATTEMPTS),
           "OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "OPENAI_API_KEY": "test"}
    with ui_process(corpus, base, "--host", "127.0.0.1", "--auth", f"{USER}:{PASSWORD}", "--backend", "openai",
                    env=env, timeout=180) as (url, _, _):
        with httpx.Client(base_url=url, timeout=60) as anonymous, httpx.Client(base_url=url, timeout=60) as user:
            assert login(user, USER, PASSWORD).status_code == 200
            yield SimpleNamespace(url=url, base=base, corpus=corpus, anonymous=anonymous, user=user)


def login(client, user: str, password: str):
    return client.post("login", data={"username": user, "password": password})


def status(client, method: str, path: str) -> int:
    """The status code alone: the queue's event stream would otherwise be read until it ends."""
    with client.stream(method, path, json={} if method == "POST" else None) as response:
        return response.status_code


# -- served beyond this machine ------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [["--host", "0.0.0.0"], ["--share"]])
def test_serving_beyond_this_machine_needs_credentials(tmp_path, flags):
    result = newsqa("ui", str(SEEDS), *flags, "--port", str(free_port()), data_dir=tmp_path)
    assert result.returncode == 2 and "needs credentials" in result.stderr and "--auth" in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert not (tmp_path / "indexes").exists()


def test_the_page_without_logging_in_is_only_the_login_form(server):
    page = server.anonymous.get("")
    assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
    assert "newsqa-chat" not in page.text and "Midjourney" not in page.text


@pytest.mark.parametrize("method,path", PROTECTED)
def test_nothing_is_reachable_without_logging_in(server, method, path):
    assert status(server.anonymous, method, path) == 401
    assert status(server.user, method, path) not in (401, 403, 404)  # a real route


def test_the_run_history_is_off(server):
    assert server.user.get("gradio_api/runs").status_code == 404
    assert server.anonymous.get("gradio_api/run-history/records").status_code == 404


# -- the file views ----------------------------------------------------------------------------------


def test_the_file_route_serves_no_corpus_or_system_file(server, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("the-secret-content")
    link = server.corpus / "link.txt"
    link.symlink_to(outside)
    article = next(server.corpus.glob("*.txt"))
    try:
        for target in (article, link, outside, "/etc/passwd", "../../../../etc/passwd", f"{server.corpus}/../x.txt"):
            for client in (server.anonymous, server.user):
                response = client.get(f"gradio_api/file={target}")
                assert response.status_code in (401, 403, 404), (target, response.status_code)
                assert "the-secret-content" not in response.text and "root:" not in response.text
    finally:
        link.unlink()  # the page's later uploads ingest the folder


def test_the_article_view_reads_nothing_outside_the_corpus(tmp_path):
    from ui.render import read_article_text

    corpus = seeds_copy(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text(ARTICLE)
    (corpus / "linked.txt").symlink_to(secret)
    (corpus / "linked-folder").symlink_to(tmp_path)
    article = next(corpus.glob("*.txt")).name
    assert read_article_text(article, corpus)  # the view works for a real article
    for file in ("../secret.txt", str(secret), "linked.txt", "linked-folder/secret.txt", "/etc/passwd",
                 f"{article}/../../secret.txt", "", ".", "..", "nul\0.txt"):
        assert read_article_text(file, corpus) is None, file


# -- uploads -----------------------------------------------------------------------------------------


def hostile_uploads(folder: Path) -> list[str]:
    """Files as an upload hands them over: paths whose names and contents are hostile."""
    (folder / "sub").mkdir(parents=True)
    (folder / "escape.txt").write_text(ARTICLE)
    (folder / ("n" * 250 + ".txt")).write_text(ARTICLE.replace("Sunday", "Monday"))
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 3)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "big.txt").write_text("x" * 2_000)
    (folder / "script.sh").write_text("rm -rf /")
    return [
        str(folder / "sub" / ".." / ".." / folder.name / "escape.txt"),  # ../ inside the path
        str(folder / ("n" * 250 + ".txt")),
        str(folder / ("l" * 300 + ".txt")),  # longer than a file name may be
        str(folder / "nul\0.txt"),
        str(folder / "binary.txt"),
        str(folder / "empty.txt"),
        str(folder / "big.txt"),
        str(folder / "script.sh"),
        "/etc/passwd",
    ]


def files_outside(root: Path, uploads: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and uploads not in p.parents}


def test_hostile_uploads_stay_in_the_uploads_folder_and_say_why(tmp_path):
    from ui.corpus import save_uploads

    corpus = seeds_copy(tmp_path)
    before = files_outside(tmp_path, corpus / "uploads")
    result = save_uploads(hostile_uploads(tmp_path / "incoming"), corpus, max_bytes=1_000)
    assert files_outside(tmp_path, corpus / "uploads") - before == hostile_files(tmp_path / "incoming")
    saved = sorted(p.name for p in (corpus / "uploads").iterdir())
    assert saved == sorted(Path(p).name for p in result.saved)
    assert "escape.txt" in saved and all(len(name) <= 100 for name in saved) and len(saved) == 2
    reasons = dict(result.rejected)
    assert len(reasons) == 7 and all(reasons.values())
    assert "NUL" in reasons["nul\\0.txt"] and "not a readable article" in reasons["binary.txt"]
    assert "empty" in reasons["empty.txt"] and "too large" in reasons["big.txt"]
    assert "not an article type" in reasons["script.sh"] and "not an article type" in reasons["passwd"]
    assert "could not be saved" in reasons["l" * 300 + ".txt"]


def hostile_files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_an_uploads_folder_linking_out_of_the_corpus_is_not_written(tmp_path):
    from ui.corpus import save_uploads

    corpus, elsewhere = tmp_path / "corpus", tmp_path / "elsewhere"
    corpus.mkdir()
    elsewhere.mkdir()
    (corpus / "uploads").symlink_to(elsewhere)
    (tmp_path / "a.txt").write_text(ARTICLE)
    result = save_uploads([tmp_path / "a.txt"], corpus, max_bytes=1_000_000)
    assert not result.saved and "out of the corpus" in result.rejected[0][1]
    assert not any(elsewhere.iterdir())


def test_an_oversize_upload_is_refused_by_the_server(server):
    big = b"x" * 5_100_000  # the limit is NEWSQA_MAX_FILE_MB, 5 MB by default
    response = server.user.post("gradio_api/upload", files={"files": ("big.txt", big, "text/plain")})
    assert response.status_code == 413


@pytest.mark.slow
def test_hostile_uploads_through_the_page_say_why_and_stay_inside(server, browser):
    texts = [ARTICLE.replace("Sunday", day).encode() for day in ("Sunday", "Monday", "Friday")]
    payloads = [
        {"name": "../../escape.txt", "mimeType": "text/plain", "buffer": texts[0]},
        {"name": "/etc/cron.d/absolute.txt", "mimeType": "text/plain", "buffer": texts[1]},
        {"name": "l" * 300 + ".txt", "mimeType": "text/plain", "buffer": texts[2]},
        {"name": "binary.txt", "mimeType": "text/plain", "buffer": bytes(range(256)) * 8},
    ]
    before = files_outside(server.base, server.corpus / "uploads")
    context = browser.new_context()
    assert context.request.post(f"{server.url}login", form={"username": USER, "password": PASSWORD}).ok
    page = context.new_page()
    page.goto(server.url)
    page.get_by_role("tab", name="Corpus").click()
    page.set_input_files("#newsqa-upload input[type=file]", payloads)
    page.wait_for_function("() => document.querySelector('#newsqa-ingest-summary').innerText"
                           ".includes('binary')", timeout=180_000)
    summary = page.inner_text("#newsqa-ingest-summary")
    context.close()
    assert "Added 3 articles" in summary and "not a readable article" in summary, summary
    saved = sorted(p.name for p in (server.corpus / "uploads").iterdir())
    assert len(saved) == 3 and all(len(n) <= 100 and not n.startswith(".") for n in saved), saved
    assert {"escape.txt", "absolute.txt"} <= set(saved)
    new_outside = files_outside(server.base, server.corpus / "uploads") - before
    assert all(server.base / "data" in p.parents for p in new_outside), new_outside  # only the index changed
    assert not Path("/etc/cron.d/absolute.txt").exists()


# -- the login -----------------------------------------------------------------------------------------


def test_wrong_passwords_lock_the_name_for_a_growing_while(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        started = time.monotonic()
        codes = [login(client, USER, f"wrong-{n}").status_code for n in range(30)]
        assert codes == [400] * ATTEMPTS + [429] * (30 - ATTEMPTS), codes
        assert "try again in" in login(client, USER, "wrong").json()["detail"]
        assert login(client, USER, PASSWORD).status_code == 429  # the lock holds for the right password too
        time.sleep(max(0.0, LOCK_S + 0.2 - (time.monotonic() - started)))
        assert login(client, USER, "wrong again").status_code == 400  # the lock is over: checked, and locks 2x
        locked_again = time.monotonic()
        time.sleep(LOCK_S + 0.1)
        assert login(client, USER, PASSWORD).status_code == 429  # still locked: twice LOCK_S
        time.sleep(max(0.0, 2 * LOCK_S + 0.2 - (time.monotonic() - locked_again)))
        assert login(client, USER, PASSWORD).status_code == 200
        assert login(client, USER, "wrong once more").status_code == 400  # the right one cleared the count


def test_guessing_other_names_never_locks_the_real_one(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        codes = {login(client, f"guess-{n}", PASSWORD).status_code for n in range(ATTEMPTS + 3)}
        assert codes == {400, 429}
        assert login(client, USER, PASSWORD).status_code == 200


def test_the_lock_doubles_up_to_its_cap():
    from rag import Settings
    from ui.serve import LoginThrottle

    now = [0.0]
    settings = Settings.load(login_attempts=2, login_lock_s=1, login_lock_max_s=5)
    throttle = LoginThrottle(USER, PASSWORD, settings, clock=lambda: now[0])
    locks = []
    for _ in range(6):
        assert throttle.check(USER, "wrong") is False
        locks.append(throttle.locked_until.get(USER, 0.0) - now[0])
        now[0] += 100  # past every lock
    assert locks == [0, 1, 2, 4, 5, 5]
    assert throttle.check(USER, PASSWORD) is True and USER not in throttle.failures
