"""Run the app under gunicorn (production) without an access log, safe from slow clients.

gunicorn's sync workers give a whole worker to one connection: two idle sockets stopped the
service (issue 14). `serve` uses threaded workers (`gthread`) instead, with a worker class
that bounds what a slow client can take:

- a new connection gets a thread only once its first byte has arrived (an idle socket waits
  in the worker's poller, costs no thread, and is closed after the keep-alive timeout);
- the request line and headers must arrive within `header_timeout` seconds of that first
  byte (a slowloris client sending a byte every few seconds is cut off);
- a body must arrive within `body_timeout` seconds of the headers.

A connection cut off is closed as if the client had gone (no traceback in the log). Each
worker builds its index before it accepts a connection; new data versions are built in a
background thread while requests go on (search/directory.py). docs/deployment.md shows an
nginx configuration for those who put a buffering proxy in front.
"""

from __future__ import annotations

import gc
import socket
import time
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers import gthread

from directory_api.config import from_environment
from directory_api.errors import StoreUnavailable

FIRST_BYTE_WAIT = 0.2  # seconds a thread waits for a new connection's first byte

# Set by serve() in the master before the workers fork; read by SlowClientWorker.
LIMITS: dict[str, float] = {"header_timeout": 10.0, "body_timeout": 60.0}


class DeadlineSocket(socket.socket):
    """A client socket whose reads end at a deadline (monotonic seconds; None: no limit).
    Past the deadline a read returns b"", the end of the stream, so gunicorn closes the
    connection as if the client had gone."""

    deadline: float | None = None

    @classmethod
    def adopt(cls, sock: socket.socket) -> DeadlineSocket:
        return cls(sock.family, sock.type, sock.proto, fileno=sock.detach())

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self.deadline is None:
            return super().recv(size, flags)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return b""
        blocking = self.gettimeout()
        self.settimeout(remaining)
        try:
            return super().recv(size, flags)
        except TimeoutError:
            return b""
        finally:
            self.settimeout(blocking)


class SlowClientWorker(gthread.ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker with the bounds in the module docstring."""

    def handle(self, conn: Any) -> Any:
        if not conn.initialized:
            if not conn.data_ready and not conn.wait_for_data(FIRST_BYTE_WAIT):
                return gthread._DEFER  # back to the poller: an idle socket holds no thread
            conn.data_ready = True
            if not isinstance(conn.sock, DeadlineSocket):
                conn.sock = DeadlineSocket.adopt(conn.sock)
        if isinstance(conn.sock, DeadlineSocket):
            conn.sock.deadline = time.monotonic() + LIMITS["header_timeout"]
        try:
            return super().handle(conn)
        finally:
            if isinstance(conn.sock, DeadlineSocket):
                conn.sock.deadline = None

    def handle_request(self, req: Any, conn: Any) -> Any:
        if isinstance(conn.sock, DeadlineSocket):  # the headers are in: now the body
            conn.sock.deadline = time.monotonic() + LIMITS["body_timeout"]
        return super().handle_request(req, conn)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # older gunicorn lacks some settings
                self.cfg.set(key, value)

    def load(self) -> Any:
        from directory_api import create_app

        app = create_app()  # in each worker, after the fork (no preload_app)
        # Build the index before taking requests, so no request waits for it; then freeze
        # what the worker holds (rules, gazetteer, index), so collections skip it for good.
        # A store that is down does not stop the worker (gunicorn would stop the master):
        # it answers 503 and loads the index as soon as the store returns.
        try:
            app.extensions["directory"].directory()
        except StoreUnavailable:
            return app  # logged once by the holder, which retries in the background
        gc.freeze()
        return app


def gunicorn_options(
    *, host: str, port: int, workers: int, settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The gunicorn settings `serve` runs with (settings: config.from_environment())."""
    cfg = from_environment() if settings is None else settings
    threads = max(1, int(cfg["DIRECTORY_SERVE_THREADS"]))
    return {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": f"{__name__}.SlowClientWorker",
        "threads": threads,
        # Open connections per worker (idle ones wait in the poller, not in a thread).
        "worker_connections": max(threads + 1, int(cfg["DIRECTORY_SERVE_CONNECTIONS"])),
        "keepalive": int(cfg["DIRECTORY_KEEPALIVE_SECONDS"]),
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": 60,
        # One shared control socket per user would clash between instances on one host.
        "control_socket_disable": True,
    }


def serve(*, host: str, port: int, workers: int) -> None:
    """Serve on host:port with `workers` threaded workers; each holds its own index."""
    cfg = from_environment()
    LIMITS["header_timeout"] = float(cfg["DIRECTORY_HEADER_TIMEOUT_SECONDS"])
    LIMITS["body_timeout"] = float(cfg["DIRECTORY_BODY_TIMEOUT_SECONDS"])
    _Gunicorn(gunicorn_options(host=host, port=port, workers=workers, settings=cfg)).run()
