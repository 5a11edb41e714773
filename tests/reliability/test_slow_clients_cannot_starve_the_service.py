"""Issue 14: idle and slowloris connections cannot starve `directory-api serve`.

The real server (two gunicorn workers) is held by 20 idle sockets and 10 slowloris sockets
(each sends one header byte every 2 s and never ends its headers) for over a minute; an
attacker whose socket is closed opens a new one at once. Throughout, `/health` and a search
answer within 2 s. (Under gunicorn's sync workers, 2 idle sockets stopped the service.)
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from directory_api import create_app
from directory_api.imports.pipeline import import_file
from directory_api.web.serving import FIRST_BYTE_WAIT
from tests.reliability.conftest import PHARMACIES, record_figures
from tests.reliability.gunicorn_load import Server, percentile, serve_env

IDLE, SLOW, SECONDS, LIMIT = 20, 10, 65.0, 2.0
HEADER = b"GET /v1/search?care=pharmacy&lat=52.09&lon=5.12 HTTP/1.1\r\nHost: x\r\nX-a: "


class Attacker:
    """One socket held open the whole time (reopened whenever the server closes it)."""

    def __init__(self, port: int, stop: threading.Event, slow: bool) -> None:
        self.port, self.stop, self.slow = port, stop, slow
        self.opened = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    self.opened += 1
                    self.hold(s)
            except OSError:
                self.stop.wait(0.1)

    def hold(self, s: socket.socket) -> None:
        sent = 0
        while not self.stop.is_set():
            if self.slow:  # one byte of a header that never ends
                s.sendall(HEADER[sent : sent + 1] if sent < len(HEADER) else b"a")
                sent += 1
            s.settimeout(2.0)
            try:
                if s.recv(1024) == b"":
                    return  # closed by the server: open another
            except TimeoutError:
                pass


@pytest.mark.slow
def test_idle_and_slowloris_sockets_do_not_starve_the_server(tmp_path, geodata_dir):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_GEODATA_PATH": str(geodata_dir),
    }
    seed = create_app(env)
    import_file(seed.extensions["directory"], PHARMACIES, source_name="CAK apotheken")
    seed.extensions["directory"].store.dispose()
    server = Server(serve_env(env), tmp_path / "server.log")
    stop = threading.Event()
    attackers: list[Attacker] = []
    probes: list[tuple[str, float, int | str]] = []
    try:
        server.wait("/health", 200)
        attackers = [Attacker(server.port, stop, slow=i >= IDLE) for i in range(IDLE + SLOW)]
        for a in attackers:
            a.thread.start()
        time.sleep(1.0)  # every socket open before the first probe
        started = time.monotonic()
        while time.monotonic() - started < SECONDS:
            for path in ("/health", "/v1/search?care=pharmacy&lat=52.09&lon=5.12&limit=5"):
                t0 = time.perf_counter()
                try:
                    status: int | str = server.get(path, timeout=LIMIT + 3)[0]
                except OSError as error:
                    status = type(error).__name__
                probes.append((path, time.perf_counter() - t0, status))
            time.sleep(1.0)
        attacked_for = time.monotonic() - started
    finally:
        stop.set()
        for a in attackers:
            a.thread.join(timeout=10)
        server.stop()
    slow = [p for p in probes if p[2] != 200 or p[1] > LIMIT]
    latencies = [p[1] for p in probes]
    record_figures(
        "slow_clients",
        None,
        idle_sockets=IDLE,
        slowloris_sockets=SLOW,
        attacked_s=round(attacked_for, 1),
        probes=len(probes),
        probes_over_2s_or_failed=len(slow),
        probe_p50_ms=percentile(latencies, 0.5),
        probe_max_ms=round(max(latencies) * 1000, 1),
        idle_connections_opened=sum(a.opened for a in attackers[:IDLE]),
        slowloris_connections_opened=sum(a.opened for a in attackers[IDLE:]),
        first_byte_wait_s=FIRST_BYTE_WAIT,
    )
    assert attacked_for > 60
    assert len(probes) >= 60
    assert not slow, slow
    # Every slowloris socket was cut off at the header timeout (10 s) and came back.
    assert all(a.opened >= 3 for a in attackers[IDLE:]), [a.opened for a in attackers]
    assert "Traceback" not in server.log(), server.log()[-3000:]
