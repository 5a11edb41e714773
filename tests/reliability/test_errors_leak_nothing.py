"""Every response says `X-Content-Type-Options: nosniff`; no error body holds a stack trace,
SQL or what the database said, not even for an internal error; a fault in the middle of
publishing loses nothing; bodies over the limit get 413, with or without Content-Length."""

from __future__ import annotations

import http.client
import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

import directory_api.store.store
from directory_api.web.auth import token_hash
from directory_api.web.logs import JsonFormatter, RedactingFilter
from tests.helpers import LiveServer, assert_error_shape
from tests.reliability.conftest import AUTH, PHARMACIES, TOKEN, load_small_directory, snapshot

SECRET_SQL = "SELECT providers.name FROM providers WHERE providers.postcode = '3511 AB'"
SECRET_REASON = "connection to server at 10.1.2.3 failed: password=hunter2"
LEAKS = (
    "Traceback",
    'File "',
    "SELECT",
    "providers.",
    "3511 AB",
    "hunter2",
    "10.1.2.3",
    "OperationalError",
    "sqlalchemy",
    "psycopg",
)


def database_down(*_: Any, **__: Any) -> Any:
    raise OperationalError(SECRET_SQL, {"postcode": "3511 AB"}, Exception(SECRET_REASON))


def assert_leaks_nothing(text: str) -> None:
    assert not any(leak in text for leak in LEAKS), text


@pytest.fixture
def production_app(make_app):
    """TESTING off, as in production: exceptions are never propagated to the server."""
    app = make_app(TESTING=False, DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN))
    load_small_directory(app.extensions["directory"])
    return app


@contextmanager
def captured_app_log() -> Iterator[list[str]]:
    """The JSON lines the app's handler would write (same filter and formatter)."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("directory_api")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


def break_holder(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services.holder, "_version_of", database_down)
    services.holder._checked = float("-inf")


# (request, what to break): the store methods each endpoint needs.
INTERNAL: list[tuple[str, str, dict[str, Any], Callable[[Any, Any], None]]] = [
    ("GET", "/v1/sources", {}, lambda s, m: m.setattr(s.store, "sources", database_down)),
    ("GET", "/v1/search?care=pharmacy&lat=52.1&lon=5.1", {}, break_holder),
    ("GET", "/v1/providers", {}, break_holder),
    ("GET", "/v1/care-types", {}, break_holder),
    (
        "GET",
        "/v1/search?care=pharmacy&lat=52.1&lon=5.1&as_of=2026-01-01",
        {},
        lambda s, m: m.setattr(s.store, "version_table", database_down),
    ),
    (
        "GET",
        "/v1/sources/cak-apotheken/versions",
        {},
        lambda s, m: m.setattr(s.store, "versions", database_down),
    ),
    (
        "GET",
        "/v1/sources/cak-apotheken/diff",
        {},
        lambda s, m: m.setattr(s.store, "diff", database_down),
    ),
    (
        "POST",
        "/v1/sources/cak-apotheken/imports",
        {"json": {"rows": [{"naam": "A", "categorie": "apotheek", "lat": 52, "lon": 5}]}},
        lambda s, m: m.setattr(s.store, "publish", database_down),
    ),
    (
        "POST",
        "/v1/sources/cak-apotheken/imports",
        {"json": {"rows": [{"naam": "A", "categorie": "apotheek", "lat": 52, "lon": 5}]}},
        lambda s, m: m.setattr(s.store, "source_lock", database_down),
    ),
    (
        "POST",
        "/v1/sources/cak-apotheken/rollback",
        {"json": {"version": 1}},
        lambda s, m: m.setattr(s.store, "rollback", database_down),
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "breaker"),
    INTERNAL,
    ids=[f"{m} {p.split('?')[0]}-{i}" for i, (m, p, _, _) in enumerate(INTERNAL)],
)
def test_internal_error_is_a_bare_500(production_app, monkeypatch, method, path, kwargs, breaker):
    services = production_app.extensions["directory"]
    client = production_app.test_client()
    breaker(services, monkeypatch)
    with captured_app_log() as log:
        r = client.open(path, method=method, headers=AUTH, **kwargs)
    body = assert_error_shape(r, 500)
    assert body == {
        "code": 500,
        "status": 500,
        "error": "Internal Server Error",
        "message": "internal error",
    }
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert_leaks_nothing(r.get_data(as_text=True))
    # The log says that it happened, and what kind of error, but not the SQL or its values.
    assert any('"exception": "OperationalError"' in line for line in log), log
    for line in log:
        assert "SELECT" not in line and "3511 AB" not in line and "hunter2" not in line, line


def test_ready_says_unavailable_and_nothing_more(production_app, monkeypatch):
    services = production_app.extensions["directory"]
    break_holder(services, monkeypatch)
    r = production_app.test_client().get("/ready")
    assert r.status_code == 503 and r.get_json() == {"status": "unavailable"}
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_a_fault_inside_the_publishing_transaction_loses_nothing(production_app, monkeypatch):
    """The rows are inserted, then the data version bump fails: all of it is rolled back."""
    client = production_app.test_client()
    before = snapshot(client)
    monkeypatch.setattr(directory_api.store.store, "bump", database_down)
    r = client.post(
        "/v1/sources/cak-apotheken/imports",
        data={"file": (io.BytesIO(PHARMACIES.replace(b"Basis", b"Nieuw")), "new.csv")},
        headers=AUTH,
    )
    assert_error_shape(r, 500)
    assert_leaks_nothing(r.get_data(as_text=True))
    assert snapshot(client) == before
    restarted = production_app.extensions["directory"]
    restarted.holder.refresh()
    assert snapshot(client) == before
    monkeypatch.undo()
    r = client.post(
        "/v1/sources/cak-apotheken/imports",
        data={"file": (io.BytesIO(PHARMACIES.replace(b"Basis", b"Nieuw")), "new.csv")},
        headers=AUTH,
    )
    assert r.status_code == 201 and r.get_json()["version"] == 2  # no version was used up


def every_kind_of_response(client: Any, services: Any) -> Iterator[tuple[str, Any, int]]:
    """One request for each status the app answers with, and each kind of content."""
    provider = services.directory().providers[0].id
    yield "200 search", client.get("/v1/search?care=pharmacy&near=52.09,5.12"), 200
    yield "200 providers", client.get("/v1/providers"), 200
    yield "200 provider", client.get(f"/v1/providers/{provider}"), 200
    etag = client.get("/v1/care-types").headers["ETag"]
    yield "304", client.get("/v1/care-types", headers={"If-None-Match": etag}), 304
    yield "200 openapi", client.get("/openapi.json"), 200
    yield "200 docs html", client.get("/docs"), 200
    yield "200 swagger asset", client.get("/static/swagger-ui/swagger-ui.css", buffered=True), 200
    yield "200 widget", client.get("/widget.js", buffered=True), 200
    yield "200 embed", client.get("/embed?care=pharmacy"), 200
    yield "200 options", client.options("/v1/search"), 200
    yield "200 health", client.get("/health"), 200
    yield (
        "400 bad json",
        client.post(
            "/v1/sources/x/rollback", data="{", headers={**AUTH, "Content-Type": "application/json"}
        ),
        400,
    )
    yield "401", client.post("/v1/sources/x/rollback", json={"version": 1}), 401
    yield (
        "403",
        client.post(
            "/v1/sources/x/rollback", json={"version": 1}, headers={"Authorization": "Bearer no"}
        ),
        403,
    )
    yield "404 route", client.get("/nope"), 404
    yield "404 provider", client.get("/v1/providers/nope"), 404
    yield "404 source", client.get("/v1/sources/nope/versions"), 404
    yield "405", client.delete("/v1/search"), 405
    with services.store.source_lock("cak-apotheken"):
        yield (
            "409",
            client.post(
                "/v1/sources/cak-apotheken/imports",
                data={"file": (io.BytesIO(PHARMACIES[:500]), "l.csv")},
                headers=AUTH,
            ),
            409,
        )
    yield (
        "413",
        client.post(
            "/v1/sources/x/imports",
            data=b'{"rows": [' + b" " * 2048 + b"]}",
            headers={**AUTH, "Content-Type": "application/json"},
        ),
        413,
    )
    yield (
        "415",
        client.post(
            "/v1/sources/x/imports", data="a,b", headers={**AUTH, "Content-Type": "text/csv"}
        ),
        415,
    )
    yield "422 search", client.get("/v1/search?care=pharmacy&lat=95&lon=5"), 422
    yield "422 embed", client.get("/embed?care=nonsense"), 422
    yield (
        "422 import",
        client.post(
            "/v1/sources/x/imports",
            data={"file": (io.BytesIO(b"\x00\x01binary"), "x.csv")},
            headers=AUTH,
        ),
        422,
    )


def test_every_kind_of_response_says_nosniff_and_errors_leak_nothing(make_app):
    app = make_app(
        TESTING=False,
        DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN),
        DIRECTORY_MAX_UPLOAD_BYTES=1024,
    )
    load_small_directory(app.extensions["directory"])
    client = app.test_client()
    seen = []
    for label, r, status in every_kind_of_response(client, app.extensions["directory"]):
        assert r.status_code == status, (label, r.get_data(as_text=True)[:500])
        assert r.headers.get("X-Content-Type-Options") == "nosniff", label
        if status >= 400 and not label.startswith("422 embed"):
            assert_error_shape(r, status)
        if status >= 400:
            assert_leaks_nothing(r.get_data(as_text=True))
        seen.append(status)
    limited = make_app(DIRECTORY_RATE_LIMIT="1/minute").test_client()
    limited.get("/v1/care-types")
    r = limited.get("/v1/care-types")
    assert_error_shape(r, 429)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert {200, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422} <= set(seen)


def post_chunked(port: int, body: Iterator[bytes], content_type: str) -> tuple[int, dict]:
    """POST with Transfer-Encoding: chunked (no Content-Length) to a real server."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/v1/sources/chunked/imports?dry_run=true",
            body=body,
            headers={**AUTH, "Content-Type": content_type},
            encode_chunked=True,
        )
        response = connection.getresponse()
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.fixture
def small_limit_app(make_app):
    app = make_app(DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN), DIRECTORY_MAX_UPLOAD_BYTES=4096)
    load_small_directory(app.extensions["directory"])
    return app


def test_chunked_json_over_the_limit_is_413_over_a_real_socket(small_limit_app):
    """Without a Content-Length werkzeug cut a JSON body at the limit without a word, and the
    cut JSON got a misleading 422 ('must be an object with rows'); it is a 413 now."""
    before = snapshot(small_limit_app.test_client())

    def chunks(n: int) -> Iterator[bytes]:
        yield b'{"rows": ['
        for i in range(n):
            yield b'{"naam": "Chunk %d", "categorie": "apotheek", "lat": 52.1, "lon": 5.1},' % i
        yield b'{"naam": "Laatste", "categorie": "apotheek", "lat": 52.2, "lon": 5.2}]}'

    with LiveServer(small_limit_app) as server:
        status, body = post_chunked(server.port, chunks(10), "application/json")  # ~800 bytes
        assert status == 200 and body["rows"] == 11, body
        for n in (60, 5000):  # about 4.7 kB and 400 kB
            status, body = post_chunked(server.port, chunks(n), "application/json")
            assert status == 413 and body["code"] == 413, body
    assert snapshot(small_limit_app.test_client()) == before


# werkzeug's multipart parser leaves its half-written spool file to the garbage collector
# when the limit stops it mid-file (CPython frees it at once); not this app's file to close.
@pytest.mark.filterwarnings("ignore:Unclosed file <tempfile.SpooledTemporaryFile:ResourceWarning")
def test_chunked_multipart_over_the_limit_is_413_over_a_real_socket(small_limit_app):
    before = snapshot(small_limit_app.test_client())
    boundary = "chunkboundary"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        ).encode()
        + PHARMACIES * 10
        + f"\r\n--{boundary}--\r\n".encode()
    )
    with LiveServer(small_limit_app) as server:
        status, body = post_chunked(
            server.port,
            iter([multipart[i : i + 1000] for i in range(0, len(multipart), 1000)]),
            f"multipart/form-data; boundary={boundary}",
        )
    assert status == 413 and body["code"] == 413
    assert snapshot(small_limit_app.test_client()) == before
