"""A `directory-api serve` (gunicorn) subprocess and client threads that search it, for the
fault tests: every answer and every error is kept with its time."""

from __future__ import annotations

import json
import os
import random
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reliability.conftest import BIN
from tests.reliability.pgcluster import free_port


@dataclass
class Answer:
    at: float  # time.monotonic() when the answer arrived
    status: int
    data_version: int | None
    message: str | None = None


@dataclass
class Seen:
    answers: list[Answer] = field(default_factory=list)
    errors: list[tuple[float, str]] = field(default_factory=list)  # connection-level
    latencies: list[float] = field(default_factory=list)


class Server:
    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(BIN / "directory-api"),
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def get(self, path: str, timeout: float = 10) -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.load(error)

    def wait(self, path: str, status: int, timeout: float = 60) -> float:
        started = time.monotonic()
        while True:
            try:
                if self.get(path, timeout=5)[0] == status:
                    return time.monotonic() - started
            except OSError:
                pass
            assert self.process.poll() is None, f"server exited: {self.log()[-2000:]}"
            assert time.monotonic() - started < timeout, f"no {status} on {path}: {self.log()}"
            time.sleep(0.1)

    def workers(self) -> set[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(p) for p in path.read_text().split()}

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self._log.close()


def serve_env(base: dict[str, str], **settings: str) -> dict[str, str]:
    return {**os.environ, **base, **settings}


def search_loop(server: Server, stop: threading.Event, seen: Seen, seed: int, pause: float) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        lat, lon = rng.uniform(50.9, 53.3), rng.uniform(3.5, 7.0)
        path = f"/v1/search?care=pharmacy&lat={lat:.4f}&lon={lon:.4f}&limit=5"
        started = time.perf_counter()
        try:
            status, body = server.get(path, timeout=30)
        except (OSError, ValueError) as error:  # refused, reset, timeout, bad JSON
            seen.errors.append((time.monotonic(), f"{type(error).__name__}: {error}"))
            continue
        seen.latencies.append(time.perf_counter() - started)
        seen.answers.append(
            Answer(time.monotonic(), status, body.get("data_version"), body.get("message"))
        )
        if pause:
            time.sleep(pause)


class Load:
    """`threads` clients searching until stopped."""

    def __init__(self, server: Server, threads: int, pause: float = 0.0) -> None:
        self.seen = Seen()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=search_loop, args=(server, self._stop, self.seen, i, pause), daemon=True
            )
            for i in range(threads)
        ]

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in self._threads)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1)
