"""Shared fixtures: real Chroma on temp dirs, the real embedder, real local LLM servers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_NEWSQA = ROOT.parent / "shared" / "newsqa"
MIDJOURNEY_GADGETS = "000_292fd3b520f9e7bf.txt"  # Gadgets 360's story
MIDJOURNEY_VENTUREBEAT = "002_9fa7e93374a12477.txt"  # VentureBeat's story
CHROMIUM = Path(os.environ.get("NEWSQA_CHROMIUM", "/usr/bin/chromium"))  # Debian's; Playwright downloads none
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

os.environ.setdefault("NEWSQA_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "newsqa-tests-unused"))
for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
    os.environ.pop(name, None)  # tests choose their backend explicitly
for name in list(os.environ):
    if name.startswith("NEWSQA_") and name != "NEWSQA_DATA_DIR":
        os.environ.pop(name)

import rag  # noqa: E402  (after the environment is clean)
from rag import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def reap(process: subprocess.Popen) -> None:
    """Kills ``process`` if it still runs, and waits for it: a test's cleanup after a deliberate kill."""
    if process.poll() is None:
        process.kill()
    process.wait()


def the_one_that_waited(processes: list[subprocess.Popen], logs: list[Path]) -> tuple[str, subprocess.Popen]:
    """Two writers started at once both succeeded and exactly one said it waited: its output, and the other."""
    for process in processes:
        process.wait(timeout=600)
    outputs = [log.read_text(errors="replace") for log in logs]
    assert [p.returncode for p in processes] == [0, 0], outputs
    waited = [(o, p) for o, p in zip(outputs, reversed(processes)) if "waiting for it to finish" in o]
    assert len(waited) == 1, outputs
    return waited[0]


def seeds_copy(folder: Path) -> Path:
    """A writable copy of seeds/ at ``folder``/corpus."""
    corpus = folder / "corpus"
    shutil.copytree(SEEDS, corpus)
    return corpus


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def ui_process(corpus: Path, base: Path, *args: str, env: dict | None = None, timeout: float = 300):
    """`newsqa ui CORPUS --port PORT ARGS` in a subprocess with its data under ``base``; yields
    (url, process, log path) once the page answers, and stops it after."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "OPENAI_"))}
    clean.update({"NEWSQA_DATA_DIR": str(base / "data"), **(env or {})})
    log_path = base / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "rag.cli", "ui", str(corpus), "--port", str(port), *args],
                                   cwd=ROOT, env=clean, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        try:
            wait_for_http(url, process, timeout=timeout)
        except (RuntimeError, TimeoutError) as error:
            pytest.fail(f"newsqa ui did not start ({error}):\n{log_path.read_text()[-4000:]}")
        yield url, process, log_path
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Playwright; skips when the browser or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings with a fresh, empty data folder."""
    return Settings.load(data_dir=tmp_path / "data")


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of seeds/."""
    return seeds_copy(tmp_path)


@pytest.fixture(scope="session")
def seeded_settings(tmp_path_factory) -> Settings:
    """Settings whose index holds seeds/, ingested once for the session; answers use the local model."""
    settings = Settings.load(data_dir=tmp_path_factory.mktemp("seeded"), corpus=SEEDS, backend="local")
    report = rag.ingest(SEEDS, settings=settings, progress=False)
    assert report.total_files == 2
    return settings


@contextmanager
def llama_server_process(*args: str, ready_path: str = "/v1/models"):
    """`python -m llama_cpp.server` serving the bundled SmolLM2 on 127.0.0.1 with ``args``; yields its base URL."""
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed")
    from rag.llm import smollm_path

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm_path()), "--host", "127.0.0.1",
         "--port", str(port), "--model_alias", "smollm2", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}{ready_path}", process, timeout=120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(process)


@pytest.fixture(scope="session")
def llama_server():
    """The bundled SmolLM2 behind `python -m llama_cpp.server`; yields its base URL."""
    with llama_server_process("--n_ctx", "4096") as url:
        yield url


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on 127.0.0.1; yields its URL."""
    chroma = shutil.which("chroma")
    if chroma is None:
        pytest.skip("the chroma command is not installed")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", process, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
