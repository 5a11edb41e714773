"""What people search for never reaches a log beyond PC4 or 2-decimal coordinates: not in the
app's JSON lines, not in werkzeug's access lines, not in gunicorn's output, not even for
malformed request lines with raw spaces; and no client address either."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from directory_api.imports.pipeline import import_file
from tests.conftest import needs_geodata
from tests.helpers import LiveServer
from tests.reliability.conftest import BIN, load_small_directory

SEARCHES = [
    "/v1/search?care=pharmacy&near=3511%20AB",
    "/v1/search?care=pharmacy&near=3511AB&lang=en",
    "/v1/search?care=pharmacy&near=3511+ab",
    "/v1/search?care=gp&lat=52.123456&lon=5.654321",
    "/v1/search?care=gp&near=52.123456,5.654321",
    "/v1/search?care=hospital&near=Den%20Bosch",
    "/v1/search?care=hospital&near=%27s-Hertogenbosch",
    "/v1/search?care=emergency&near=Utrecht&max_km=25",
    "/v1/search?care=pharmacy&near=1009%20ZZ",  # unknown postcode: 422
    "/v1/search?care=pharmacy&near=Xyzzyville",  # unknown place: 422
    "/v1/search?care=pharmacy&near=0123%20AB",  # malformed: 422
    "/v1/search?care=pharmacy&lat=52.123456",  # lon missing: 422
    "/v1/providers?q=voorbeeldapotheek&city=Utrecht",
    "/v1/providers?bbox=5.123456,52.123456,5.234567,52.234567",
    "/embed?care=pharmacy&near=3511%20AB",
]
RAW_LINES = [  # what a careless client may send: raw spaces in the query
    b"GET /v1/search?care=pharmacy&near=3511 AB HTTP/1.1",
    b"GET /v1/search?care=hospital&near=Den Bosch HTTP/1.1",
    b"GET /v1/search?care=gp&near=Kerkstraat 12 Utrecht HTTP/1.1",
    b"GET /v1/search?care=gp&near=52.123456, 5.654321 HTTP/1.1",
    b"GET /v1/search?care=gp&near='s-Hertogenbosch HTTP/1.1",
    b"GET /v1/search?care=gp&near=3511AB HTTP/9.9",
]
NEVER = [
    "3511 AB",
    "3511AB",
    "3511 ab",
    "3511+ab",
    "3511%20AB",
    "52.1234",
    "5.6543",
    "Bosch",
    "Hertogenbosch",
    "Xyzzyville",
    "1009 ZZ",
    "1009%20ZZ",
    "0123",
    "Kerkstraat",
    "Utrecht",
    "voorbeeldapotheek",
    "127.0.0.1",
]


def send_raw(port: int, line: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(line + b"\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        while s.recv(65536):
            pass


def get(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as error:
        error.read()
        error.close()
        return error.code


def assert_clean(text: str, where: str) -> None:
    found = [s for s in NEVER if s in text]
    assert not found, f"{where} holds {found}:\n{text[:3000]}"


@contextmanager
def captured(logger_name: str) -> Iterator[list[str]]:
    """The lines the named logger writes: with the app's own handler's filters and format
    where it has one (directory_api), else the logger's filters and the bare message."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    logger = logging.getLogger(logger_name)
    real = next((h for h in logger.handlers if getattr(h, "_directory", False)), None)
    handler = Collect(logging.DEBUG)
    handler.setFormatter(real.formatter if real and real.formatter else logging.Formatter())
    for f in real.filters if real else []:
        handler.addFilter(f)
    level = logger.level
    logger.addHandler(handler)
    if logger_name == "werkzeug":
        logger.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@needs_geodata
def test_werkzeug_server_and_app_logs_hold_no_search_data(make_app):
    app = make_app(DIRECTORY_LOG_LEVEL="DEBUG")  # the most a deployment can log
    load_small_directory(app.extensions["directory"])
    import_file(
        app.extensions["directory"],
        b"naam,categorie,gecontracteerd,postcode,lat,lon\n"
        b"Voorbeeldapotheek,apotheek,ja,3511 AB,52.09,5.12\n",
        source_name="Voorbeeld",
    )
    with (
        captured("directory_api") as app_log,
        captured("werkzeug") as access_log,
        LiveServer(app) as server,
    ):
        statuses = [get(server.url, path) for path in SEARCHES]
        for line in RAW_LINES:
            send_raw(server.port, line)
        time.sleep(0.2)  # the last access lines are written after the response
    assert statuses.count(200) >= 9 and 422 in statuses, statuses
    app_text, access_text = "\n".join(app_log), "\n".join(access_log)
    assert '"origin_pc4": "3511"' in app_text and '"origin_area": "52.12,5.65"' in app_text
    assert access_text.count("GET /v1/search?… HTTP/1.1") >= 12, access_text
    assert_clean(app_text, "the app's JSON log")
    assert_clean(access_text, "werkzeug's log")


@pytest.mark.slow
@needs_geodata
def test_gunicorn_output_holds_no_search_data(cli_env, tmp_path, make_app):
    load_small_directory(make_app().extensions["directory"])  # the server's store
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"
    env = {**cli_env, "DIRECTORY_LOG_LEVEL": "DEBUG"}
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(BIN / "directory-api"), "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while get_or_none(base + "/ready") != 200:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
            statuses = [get(base, path) for path in SEARCHES]
            for line in RAW_LINES:
                send_raw(port, line)
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    assert 200 in statuses and 422 in statuses
    assert '"origin_pc4": "3511"' in text, text  # the app's lines are in this output
    assert text.count("Invalid request from ip=-") >= 3, text  # gunicorn's, without the ip
    # The address gunicorn listens on is its own, not a client's.
    assert_clean(
        "\n".join(line for line in text.splitlines() if "Listening at: " not in line),
        "gunicorn's output",
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_or_none(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            r.read()
            return r.status
    except (OSError, ValueError):
        return None


def test_redaction_of_request_lines():
    """The rules on their own, for lines werkzeug and gunicorn write."""
    from directory_api.web.logs import redact

    lines = {
        '- - - [x] "GET /v1/search?near=Den Bosch HTTP/1.1" 400 -': "Bosch",
        "code 400, message Bad request syntax ('GET /v1/search?near=Kerkstraat 12 Utrecht "
        "HTTP/1.1')": "Utrecht",
        "Invalid request from ip=192.0.2.1: Invalid HTTP Version: 'AB HTTP/1.1'": "AB",
        "Error handling request GET /v1/search?near=3511 AB": "3511",
        "Error handling request /v1/search?near='s-Hertogenbosch\nTraceback": "Hertogenbosch",
    }
    for line, gone in lines.items():
        out = redact(line)
        assert gone not in out and ("?…" in out or "'…'" in out), (line, out)
    assert json.dumps(redact("GET /health HTTP/1.1")) == '"GET /health HTTP/1.1"'
