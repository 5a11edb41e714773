"""DIRECTORY_RATE_LIMIT_STORAGE=redis://...: instances share one limit per client. When Redis
cannot be reached, reads go on (fail open, logged once) or get 503 (fail closed).

The shared limit runs on this machine's Redis (127.0.0.1:6379, database 13, flushed by the
test); the outages on a private redis-server the test starts and kills."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import assert_error_shape
from tests.reliability.pgcluster import free_port

redis = pytest.importorskip("redis", reason="the redis extra is not installed")

SHARED_DB = "redis://127.0.0.1:6379/13"
# The tests flush that one database: under pytest-xdist they run on one worker, one at a time.
pytestmark = pytest.mark.xdist_group("redis-db-13")
SEARCH = "/v1/search?care=pharmacy&lat=52.09&lon=5.12&limit=3"


def redis_up(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def shared_redis() -> Iterator[str]:
    if not redis_up(SHARED_DB):
        pytest.skip("no Redis on 127.0.0.1:6379")
    client = redis.Redis.from_url(SHARED_DB)
    client.flushdb()
    yield SHARED_DB
    client.flushdb()
    client.close()


class PrivateRedis:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_up(self.url):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        with socket.socket() as s:  # nothing listens there any more
            assert s.connect_ex(("127.0.0.1", self.port)) != 0


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@contextmanager
def limiter_log() -> Iterator[list[str]]:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("directory_api.web.limits")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_instances_share_one_limit_in_redis(make_app, shared_redis):
    first = make_app(DIRECTORY_RATE_LIMIT="6/minute", DIRECTORY_RATE_LIMIT_STORAGE=shared_redis)
    second = make_app(DIRECTORY_RATE_LIMIT="6/minute", DIRECTORY_RATE_LIMIT_STORAGE=shared_redis)
    clients = [first.test_client(), second.test_client()]
    answers = [clients[i % 2].get(SEARCH) for i in range(10)]
    codes = [r.status_code for r in answers]
    # One limit of 6 for both instances: 3 each, then both say 429.
    assert codes == [200] * 6 + [429] * 4, codes
    remaining = [int(r.headers["X-RateLimit-Remaining"]) for r in answers[:6]]
    assert remaining == [5, 4, 3, 2, 1, 0]
    assert_error_shape(answers[-1], 429)
    assert answers[-1].headers["Retry-After"].isdigit()
    assert clients[0].get("/health").status_code == 200  # never limited


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_memory_storage_counts_per_instance(make_app):
    """What Redis fixes: without it each instance has its own counters."""
    apps = [make_app(DIRECTORY_RATE_LIMIT="6/minute") for _ in range(2)]
    codes = [apps[i % 2].test_client().get(SEARCH).status_code for i in range(12)]
    assert codes == [200] * 12


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_redis_down_fails_open_and_says_so_once(make_app, private_redis):
    app = make_app(DIRECTORY_RATE_LIMIT="4/minute", DIRECTORY_RATE_LIMIT_STORAGE=private_redis.url)
    client = app.test_client()
    assert [client.get(SEARCH).status_code for _ in range(2)] == [200, 200]
    private_redis.stop()
    with limiter_log() as lines:
        codes = [client.get(SEARCH).status_code for _ in range(8)]
        # Served from this instance's memory counters: a fresh 4/minute, then 429; never 5xx.
        assert codes == [200] * 4 + [429] * 4, codes
        assert client.get("/health").status_code == 200
        private_redis.start()  # same port, empty: the limiter goes back to it
        deadline = time.monotonic() + 40
        while not any("recovered" in line for line in lines):
            assert time.monotonic() < deadline, lines
            client.get(SEARCH)
            time.sleep(0.25)
    assert len([x for x in lines if "unreachable" in x]) == 1, lines
    assert len([x for x in lines if "recovered" in x]) == 1, lines
    assert not any("Traceback" in x for x in lines)
    assert not any("exceeded" in x for x in lines)  # no line per 429


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_redis_down_fails_closed_when_configured(make_app, private_redis):
    app = make_app(
        DIRECTORY_RATE_LIMIT="100/minute",
        DIRECTORY_RATE_LIMIT_STORAGE=private_redis.url,
        DIRECTORY_RATE_LIMIT_ON_STORAGE_ERROR="closed",
        TESTING=False,
    )
    client = app.test_client()
    assert client.get(SEARCH).status_code == 200
    private_redis.stop()
    with limiter_log() as lines:
        answers = [client.get(SEARCH) for _ in range(5)]
        for r in answers:
            body = assert_error_shape(r, 503)
            assert body["message"] == "the rate limit storage is not reachable; try again shortly"
            assert r.headers["Retry-After"] == "5"
        assert client.get("/health").status_code == 200
    assert len([x for x in lines if "fail closed" in x]) == 1, lines
    private_redis.start()
    assert client.get(SEARCH).status_code == 200


def test_an_unknown_failure_mode_is_refused(tmp_path):
    from directory_api import create_app

    with pytest.raises(ValueError, match="'open' or 'closed'"):
        create_app(
            {
                "DATABASE_URL": "sqlite://",
                "DIRECTORY_INSTANCE_PATH": str(tmp_path),
                "DIRECTORY_RATE_LIMIT": "1/minute",
                "DIRECTORY_RATE_LIMIT_ON_STORAGE_ERROR": "ajar",
            }
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_servers_share_one_limit_in_redis(make_app, cli_env, shared_redis, tmp_path):
    """Two `directory-api serve` processes (2 workers each): 4 processes, one limit."""
    from tests.reliability.gunicorn_load import Server, serve_env

    make_app()  # creates the schema
    env = serve_env(
        cli_env, DIRECTORY_RATE_LIMIT="8/minute", DIRECTORY_RATE_LIMIT_STORAGE=shared_redis
    )
    servers = [Server(env, tmp_path / f"server{i}.log") for i in range(2)]
    try:
        for server in servers:
            server.wait("/health", 200)
        codes = [servers[i % 2].get(SEARCH)[0] for i in range(12)]
    finally:
        for server in servers:
            server.stop()
    assert codes == [200] * 8 + [429] * 4, codes
