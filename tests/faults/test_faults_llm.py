"""Fault matrix, LLM faults (issue 10): every fault of an OpenAI-compatible server is one readable line.

Through the real CLI (`newsqa ask --backend openai`), each case exits 6 (LLMError) with one line on
stderr and no traceback:

- the connection is refused
- the server accepts and never answers: the timeout fires within NEWSQA_LLM_TIMEOUT_S + a few seconds
- the server sends a keep-alive line every second and no tokens: NEWSQA_LLM_TIMEOUT_S bounds the whole
  answer, not each read
- HTTP 500 with an HTML page
- HTTP 200 with a body that is not JSON (an HTML page): an error, not an abstention
- HTTP 200 with a binary body
- an event stream whose data is not JSON, and one whose events are JSON but not chat completion chunks
- a wrong API key, against a real `llama_cpp.server` started with --api_key

and the chat page (its handler `answer_turn`, called in Python; tests/test_ui_server.py drives a real
browser) shows the error in the chat, then answers the next question once the server has recovered; and
one answer's model calls (a follow-up's rewrite, then the answer) share NEWSQA_LLM_TIMEOUT_S.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.errors import LLMError
from tests.conftest import free_port, llama_server_process
from tests.test_cli import newsqa

QUESTION = "Who is the CEO of Midjourney?"  # stepwise asks the model for the name's words
TIMEOUT_S = 3
SLACK_S = 7  # a busy machine's scheduling and the CLI's exit, on top of the timeout
TRICKLE_GIVES_UP_S = 25  # past this the trickling server hangs up, so a broken client still ends


class FaultyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, reply: Callable[[BaseHTTPRequestHandler], None]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.reply = reply
        self.requested_at: list[float] = []
        self.closing = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requested_at.append(time.monotonic())
        try:
            self.server.reply(self)
        except OSError:
            pass  # the client hung up, as it should on a fault

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serving(reply: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[FaultyServer]:
    server = FaultyServer(reply)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.closing.set()
        server.shutdown()
        server.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def never_answers(handler) -> None:
    handler.server.closing.wait(60)


def keep_alive_trickle(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.end_headers()
    given_up = time.monotonic() + TRICKLE_GIVES_UP_S
    while time.monotonic() < given_up and not handler.server.closing.is_set():
        handler.wfile.write(b": keep-alive\n\n")
        handler.wfile.flush()
        handler.server.closing.wait(1)


def http_500(handler) -> None:
    send(handler, 500, "text/html", b"<html>\n<head><title>500 Internal Server Error</title></head>\n"
                                    b"<body><h1>Internal Server Error</h1></body>\n</html>\n")


def html_200(handler) -> None:
    send(handler, 200, "text/html", b"<!DOCTYPE html>\n<html><body>\n<h1>Welcome to nginx!</h1>\n</body></html>\n")


def binary_200(handler) -> None:
    send(handler, 200, "application/octet-stream", bytes(range(256)) * 8)


def bad_json_events(handler) -> None:
    send(handler, 200, "text/event-stream", b'data: {"choices": [{"delta": {"content": "Dav\n\ndata: [DONE]\n\n')


def events_not_chunks(handler) -> None:
    send(handler, 200, "text/event-stream", b'data: {"status": "ok"}\n\ndata: [DONE]\n\n')


def tokens(*pieces: str) -> Callable[[BaseHTTPRequestHandler], None]:
    """A well-behaved server that streams ``pieces``."""
    def reply(handler) -> None:
        events = [{"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                   "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                  for piece in pieces]
        body = "".join(f"data: {json.dumps(event)}\n\n" for event in events) + "data: [DONE]\n\n"
        send(handler, 200, "text/event-stream", body.encode())
    return reply


def ask_openai(data_dir, base_url: str, *args: str, key: str = "sk-test") -> subprocess.CompletedProcess:
    return newsqa("ask", QUESTION, "--backend", "openai", *args, data_dir=data_dir,
                  extra_env={"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": key,
                             "NEWSQA_LLM_TIMEOUT_S": str(TIMEOUT_S)})


def assert_one_llm_error_line(result: subprocess.CompletedProcess, *words: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 6, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsqa: "), result.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def data_dir(seeded_settings):
    return seeded_settings.data_dir


# -- the matrix, through the CLI ----------------------------------------------------------------


def test_a_refused_connection(data_dir):
    result = ask_openai(data_dir, f"http://127.0.0.1:{free_port()}/v1")
    assert_one_llm_error_line(result, "cannot reach")


@pytest.mark.parametrize("reply", [never_answers, keep_alive_trickle], ids=["never_answers", "keep_alive_trickle"])
def test_the_timeout_bounds_the_whole_answer(data_dir, reply):
    with serving(reply) as server:
        result = ask_openai(data_dir, server.url)
        returned_at = time.monotonic()
    assert server.requested_at, "the model was never asked"
    assert_one_llm_error_line(result, "NEWSQA_LLM_TIMEOUT_S")
    assert returned_at - server.requested_at[0] < TIMEOUT_S + SLACK_S


@pytest.mark.parametrize(
    ("reply", "words", "strategy"),
    [
        (http_500, ["HTTP 500"], "stepwise"),
        (html_200, ["holds no events"], "stepwise"),
        (html_200, ["holds no events"], "single"),  # single took the empty reply for the model's refusal
        (binary_200, ["not text"], "stepwise"),
        (bad_json_events, ["not JSON"], "stepwise"),
        (events_not_chunks, ["not chat completion chunks"], "single"),
    ],
    ids=["http_500", "http_200_not_json", "http_200_not_json_single", "http_200_binary", "events_with_bad_json",
         "events_not_chunks_single"],
)
def test_a_broken_reply_is_an_llm_error_never_an_answer(data_dir, reply, words, strategy):
    with serving(reply) as server:
        result = ask_openai(data_dir, server.url, "--strategy", strategy)
    assert server.requested_at, "the model was never asked"
    assert_one_llm_error_line(result, *words)


def test_one_answers_model_calls_share_the_timeout(monkeypatch):
    from rag.llm import OpenAIChat

    with serving(keep_alive_trickle) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        chat = OpenAIChat("smollm2", timeout_s=1)  # what one answer (a follow-up's rewrite, then its span) uses
        for _ in range(2):
            started = time.monotonic()
            with pytest.raises(LLMError, match="within 1 s"):
                "".join(chat.stream([{"role": "user", "content": "Hello?"}], 8))
        assert time.monotonic() - started < 0.5 and len(server.requested_at) == 1  # the second found no time left


@pytest.fixture(scope="module")
def keyed_llama_server():
    """`python -m llama_cpp.server` that wants the API key "sk-right"; yields its base URL."""
    with llama_server_process("--n_ctx", "512", "--api_key", "sk-right", ready_path="/docs") as url:
        yield url


def test_a_wrong_api_key(data_dir, keyed_llama_server):
    result = ask_openai(data_dir, keyed_llama_server, key="sk-wrong")
    assert_one_llm_error_line(result, "rejected the API key", "OPENAI_API_KEY")


# -- the chat page ------------------------------------------------------------------------------


def test_the_chat_shows_the_error_and_answers_once_the_server_recovers(seeded_settings, monkeypatch):
    pytest.importorskip("gradio")
    from ui.app import NewsqaUI, answer_turn

    replies = [binary_200, tokens("David", " Holz")]
    with serving(lambda handler: replies[0](handler)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        app = NewsqaUI(seeded_settings)
        *_, (_, history, turns, _) = answer_turn(app, QUESTION, [], [], {"backend": "openai"})
        assert "newsqa-error" in history[-1]["content"] and "error" in turns[-1]
        error = turns[-1]["error"]
        assert server.url.removesuffix("/v1") in error and "\n" not in error  # the LLM's error, not a crash

        replies.pop(0)
        *_, (_, history, turns, _) = answer_turn(app, QUESTION, history, turns, {"backend": "openai"})
    assert len(history) == 4 and "error" not in turns[-1]
    assert "David Holz" in turns[-1]["answer"].text and turns[-1]["answer"].citations
