"""Serving the page: `newsqa ui`'s checks before it binds (exposure, credentials, the port), the
login throttle, and the launch itself. The page is ui/app.py."""

from __future__ import annotations

import errno
import hmac
import ipaddress
import logging
import math
import os
import socket
import sys
import time

import gradio as gr
from fastapi import HTTPException  # Gradio's web framework: a locked login answers 429

from rag import Settings, ingest
from rag.embeddings import embedder_id
from rag.errors import ConfigError
from rag.llm import chat_backend, llm_name

from .app import ANSWER_CONCURRENCY, CSS, HEAD, THEME, build_app

log = logging.getLogger("newsqa.ui")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LoginThrottle:
    """The page's one login, checked in constant time; wrong passwords in a row lock the user name for a while.

    After ``settings.login_attempts`` wrong ones the name is locked for ``login_lock_s``, doubled by each
    further wrong one (up to ``login_lock_max_s``); while locked every attempt, the right password too, is
    answered 429 without being checked. The right password, once the lock is over, clears the count.
    Gradio's auth callback sees no request, so the count is per user name, not per address: every name
    other than the real one shares one count, so guessing names buys nothing and memory stays bounded.
    """

    def __init__(self, user: str, password: str, settings: Settings, clock=time.monotonic) -> None:
        self.user, self.password = user.encode(), password.encode()
        self.settings = settings
        self.clock = clock
        self.failures: dict[str, int] = {}
        self.locked_until: dict[str, float] = {}

    def check(self, user: str, password: str) -> bool:
        """Gradio's auth callable: True lets the login in; a locked name gets HTTP 429 with when to retry."""
        name_ok = hmac.compare_digest(user.encode(), self.user)
        key = user if name_ok else ""
        wait = self.locked_until.get(key, 0.0) - self.clock()
        if wait > 0:
            raise HTTPException(status_code=429, detail=f"Too many wrong passwords; try again in {math.ceil(wait)} s.")
        if hmac.compare_digest(password.encode(), self.password) and name_ok:
            self.failures.pop(key, None)
            return True
        self._failed(key)
        return False

    def _failed(self, key: str) -> None:
        s = self.settings
        failures = self.failures[key] = self.failures.get(key, 0) + 1
        if failures >= s.login_attempts:
            doublings = min(failures - s.login_attempts, 40)  # 2**40 * any lock is past any cap; no overflow
            self.locked_until[key] = self.clock() + min(s.login_lock_max_s, s.login_lock_s * 2 ** doublings)
        log.warning("wrong password for the page's login (%d in a row)", failures)


def check_port(host: str, port: int) -> None:
    """Refuses, before the slow start, a port another program holds (Gradio's own error names no flag)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: a closing socket is fine
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise port_taken(host, port) from None
            raise ConfigError(f"Cannot serve on {host} port {port} ({error.strerror or error}); "
                              "check --host and --port.") from None
        except OverflowError:
            raise ConfigError(f"--port takes 1 to 65535, not {port}.") from None


def port_taken(host: str, port: int) -> ConfigError:
    return ConfigError(f"port {port} on {host} is in use by another program; pick a free one with --port.")


def check_exposure(host: str, share: bool, auth: tuple[str, str] | None) -> None:
    """Refuses to serve beyond this machine without credentials."""
    if (share or not is_loopback(host)) and auth is None:
        where = "a share link" if share else f"address {host}"
        raise ConfigError(
            f"Serving on {where} needs credentials: set NEWSQA_UI_USER and NEWSQA_UI_PASSWORD, "
            "or pass --auth USER:PASSWORD."
        )


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def credentials(flag: str | None) -> tuple[str, str] | None:
    """USER:PASSWORD from --auth, else NEWSQA_UI_USER / NEWSQA_UI_PASSWORD, else None."""
    if flag:
        user, sep, password = flag.partition(":")
        if not sep or not user or not password:
            raise ConfigError("--auth takes USER:PASSWORD.")
        return user, password
    user, password = os.environ.get("NEWSQA_UI_USER"), os.environ.get("NEWSQA_UI_PASSWORD")
    if user or password:
        if not (user and password):
            raise ConfigError("Set both NEWSQA_UI_USER and NEWSQA_UI_PASSWORD, or neither.")
        return user, password
    return None


def prepare(settings: Settings, quiet: bool = False) -> None:
    """Ingests the corpus (only what changed) and loads the models, so the first question is quick."""
    from rag.embeddings import get_embedder
    from rag.llm import get_chat_model

    report = ingest(settings.corpus, settings=settings, progress=False)
    if not quiet:
        print(report.summary(), file=sys.stderr)
    get_embedder(settings)
    from rag.answer import engine_for

    engine_for(settings)
    if chat_backend(settings.resolved_backend).in_process:
        get_chat_model(settings)  # a few seconds; better at startup than on the first question


def launch(settings: Settings, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, share: bool = False,
           auth: tuple[str, str] | None = None, open_browser: bool = False, quiet: bool = False,
           block: bool = True) -> gr.Blocks:
    """Serves the page; with ``block=False`` returns the running app (``.close()`` stops it)."""
    check_exposure(host, share, auth)
    check_port(host, port)
    prepare(settings, quiet=quiet)
    demo = build_app(settings)
    demo.queue(default_concurrency_limit=ANSWER_CONCURRENCY, max_size=256)
    if not quiet:
        shown = f"[{host}]" if ":" in host else host
        print(f"newsqa ui: http://{shown}:{port} (LLM {llm_name(settings)}, embedder {embedder_id(settings)})",
              file=sys.stderr)
    login = LoginThrottle(*auth, settings).check if auth else None
    try:
        demo.launch(
            server_name=host, server_port=port, share=share, auth=login, inbrowser=open_browser,
            max_file_size=int(settings.max_file_mb * 1_000_000), show_error=True, quiet=True,
            ssr_mode=False, footer_links=["api"], css=CSS, head=HEAD, run_history=False,
            theme=THEME, enable_monitoring=False, pwa=False, mcp_server=False, prevent_thread_lock=not block,
        )
    except OSError as error:
        if "Cannot find empty port" in str(error):  # taken between check_port and now
            raise port_taken(host, port) from None
        raise
    return demo
