"""Versioned lists, admin import over HTTP, as_of, and the read-path conventions (issue 4)."""

from __future__ import annotations

import io
import json
import logging
import threading
import time

import pytest
from click.testing import CliRunner

from directory_api.cli import main
from directory_api.imports.pipeline import import_file
from directory_api.web.auth import token_hash
from tests.helpers import LiveServer, assert_error_shape

TOKEN = "test-token-please-change"
V1 = b"id,name,category,cak_contracted,postcode,house_number,lat,lon\n" + (
    b"A1,Apotheek Een,pharmacy,ja,3511 AB,1,52.09,5.12\n"
    b"A2,Apotheek Twee,pharmacy,ja,3512 AB,2,52.10,5.13\n"
)
V2 = b"id,name,category,cak_contracted,postcode,house_number,lat,lon\n" + (
    b"A1,Apotheek Een,pharmacy,nee,3511 AB,1,52.09,5.12\n"
    b"A3,Apotheek Drie,pharmacy,ja,3513 AB,3,52.11,5.14\n"
)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def admin_app(make_app):
    return make_app(DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN))


@pytest.fixture
def admin(admin_app):
    return admin_app.test_client()


def upload(client, data: bytes, source="cak-apotheken", headers=AUTH, **form):
    return client.post(
        f"/v1/sources/{source}/imports",
        data={"file": (io.BytesIO(data), "list.csv"), **form},
        headers=headers,
    )


def names(client, **params) -> set[str]:
    body = client.get("/v1/providers", query_string={"page_size": 100, **params}).get_json()
    return {p["name"] for p in body["items"]}


def test_versions_and_diff_over_http(admin):
    assert upload(admin, V1, name="CAK apotheken", list_date="2026-01-01").status_code == 201
    r = upload(admin, V2, list_date="2026-02-01")
    assert r.status_code == 201 and r.get_json()["version"] == 2
    versions = admin.get("/v1/sources/cak-apotheken/versions").get_json()["versions"]
    assert [(v["version"], v["published"], v["list_date"]) for v in versions] == [
        (1, False, "2026-01-01"),
        (2, True, "2026-02-01"),
    ]
    diff = admin.get("/v1/sources/cak-apotheken/diff").get_json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert [c["name"] for c in diff["added"]] == ["Apotheek Drie"]
    assert [c["name"] for c in diff["removed"]] == ["Apotheek Twee"]
    assert [(c["name"], c["fields"]) for c in diff["changed"]] == [
        ("Apotheek Een", ["cak_contracted"])
    ]
    same = admin.get("/v1/sources/cak-apotheken/diff?from=2&to=2").get_json()
    assert same["unchanged"] == 2 and not same["added"]
    assert_error_shape(admin.get("/v1/sources/nope/versions"), 404)
    assert_error_shape(admin.get("/v1/sources/cak-apotheken/diff?from=7"), 404)
    assert_error_shape(admin.get("/v1/sources/cak-apotheken/diff?from=x"), 422, "from")
    assert admin.get("/v1/sources").get_json()["sources"][0]["name"] == "CAK apotheken"


def test_json_rows_dry_run_and_rollback(admin):
    rows = [{"naam": "Apotheek Json", "categorie": "apotheek", "lat": 52.2, "lon": 5.2}]
    r = admin.post(
        "/v1/sources/json-list/imports",
        json={"rows": rows, "contracted": True, "dry_run": True},
        headers=AUTH,
    )
    assert r.status_code == 200 and r.get_json()["version"] is None
    assert names(admin) == set()
    r = admin.post(
        "/v1/sources/json-list/imports", json={"rows": rows, "contracted": True}, headers=AUTH
    )
    assert r.status_code == 201
    assert names(admin, contracted="true") == {"Apotheek Json"}
    upload(admin, V1, source="json-list")
    assert names(admin) == {"Apotheek Een", "Apotheek Twee"}
    r = admin.post("/v1/sources/json-list/rollback", json={"version": 1}, headers=AUTH)
    assert r.status_code == 200
    assert names(admin) == {"Apotheek Json"}
    r = admin.post("/v1/sources/json-list/rollback", json={"version": 9}, headers=AUTH)
    assert_error_shape(r, 404)


def test_bad_upload_is_reported_and_changes_nothing(admin):
    upload(admin, V1)
    before = admin.get("/v1/providers").get_json()
    r = upload(admin, V2 + b"A9,Kapot,pharmacy,ja,99999,1,52.1,5.1\n")
    body = assert_error_shape(r, 422)
    assert body["problems"] == [
        {"line": 4, "column": "postcode", "reason": body["problems"][0]["reason"]}
    ]
    assert "line 4" in body["errors"]
    assert admin.get("/v1/providers").get_json() == before
    assert_error_shape(upload(admin, V1, category="shop"), 422, "category")
    assert_error_shape(upload(admin, V1, source="Not A Slug"), 422, "source")
    r = admin.post(
        "/v1/sources/x/imports", data="a,b", headers={**AUTH, "Content-Type": "text/csv"}
    )
    assert_error_shape(r, 415)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwdw=="},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},  # truncated
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer token-of-another-environment"},
    ],
)
def test_admin_rejects_bad_tokens_and_changes_nothing(admin, headers):
    r = upload(admin, V1, headers=headers)
    assert_error_shape(
        r,
        401
        if "Bearer" not in headers.get("Authorization", "") or headers["Authorization"] == "Bearer "
        else 403,
    )
    assert names(admin) == set()
    r = admin.post("/v1/sources/cak-apotheken/rollback", json={"version": 1}, headers=headers)
    assert r.status_code in (401, 403)


def test_admin_disabled_without_configured_tokens(client):
    assert_error_shape(upload(client, V1), 403)


def test_upload_over_the_limit_is_413(make_app):
    app = make_app(DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN), DIRECTORY_MAX_UPLOAD_BYTES=200)
    client = app.test_client()
    big = V1 + b"".join(
        b"A%d,Naam %d,pharmacy,ja,3511 AB,%d,52.09,5.12\n" % (i, i, i) for i in range(50)
    )
    assert_error_shape(upload(client, big), 413)
    assert names(client) == set()


def test_concurrent_import_of_same_source_gets_409(admin_app, admin):
    store = admin_app.extensions["directory"].store
    with store.source_lock("cak-apotheken"):
        assert_error_shape(upload(admin, V1), 409)
        assert upload(admin, V1, source="other-list").status_code == 201
    assert upload(admin, V1).status_code == 201


def test_racing_imports_never_mix(admin_app):
    big1 = (
        V1.splitlines()[0]
        + b"\n"
        + b"".join(
            b"X%d,Lijst een %d,pharmacy,ja,3511 AB,%d,52.09,5.12\n" % (i, i, i) for i in range(3000)
        )
    )
    big2 = (
        V1.splitlines()[0]
        + b"\n"
        + b"".join(
            b"Y%d,Lijst twee %d,pharmacy,ja,3511 AB,%d,52.09,5.12\n" % (i, i, i)
            for i in range(3000)
        )
    )
    statuses: list[int] = []

    def post(data: bytes) -> None:
        statuses.append(upload(admin_app.test_client(), data).status_code)

    threads = [threading.Thread(target=post, args=(d,)) for d in (big1, big2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) in ([201, 201], [201, 409])
    served = names(admin_app.test_client(), page_size=100)
    prefixes = {n.rsplit(" ", 1)[0] for n in served}
    assert len(prefixes) == 1  # entirely one list or the other


def test_as_of_answers_from_the_list_of_that_day(client, services):
    from datetime import date

    import_file(services, V1, source_name="CAK apotheken", list_date=date(2026, 1, 1))
    import_file(services, V2, source_name="CAK apotheken", list_date=date(2026, 2, 1))

    def found(as_of: str | None) -> set[str]:
        params = {
            "care": "pharmacy",
            "lat": 52.1,
            "lon": 5.1,
            **({"as_of": as_of} if as_of else {}),
        }
        return {
            r["provider"]["name"]
            for r in client.get("/v1/search", query_string=params).get_json()["results"]
        }

    assert found(None) == {"Apotheek Drie"}
    assert found("2026-01-15") == {"Apotheek Een", "Apotheek Twee"}
    assert found("2026-02-01") == {"Apotheek Drie"}
    assert found("2025-12-31") == set()
    assert_error_shape(client.get("/v1/search?care=gp&lat=52&lon=5&as_of=2026-13-01"), 422, "as_of")


def test_etag_304_and_cache_control(client, services):
    import_file(services, V1, source_name="CAK apotheken")
    url = "/v1/search?care=pharmacy&lat=52.1&lon=5.1"
    r = client.get(url)
    assert r.headers["Cache-Control"].startswith("private, max-age=")
    etag = r.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    import_file(services, V2, source_name="CAK apotheken")
    r2 = client.get(url, headers={"If-None-Match": etag})
    assert r2.status_code == 200 and r2.headers["ETag"] != etag
    assert r2.get_json()["data_version"] == r.get_json()["data_version"] + 1


def test_rate_limit_429_with_retry_after(make_app):
    client = make_app(DIRECTORY_RATE_LIMIT="3/minute").test_client()
    codes = [client.get("/v1/care-types").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = client.get("/v1/care-types")
    assert_error_shape(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    assert client.get("/health").status_code == 200  # load balancers are never limited


def test_ready_reports_an_unreachable_store(app, monkeypatch):
    client = app.test_client()
    assert client.get("/ready").get_json() == {"status": "ready"}
    holder = app.extensions["directory"].holder

    def down() -> int:
        raise ConnectionError("store down")

    monkeypatch.setattr(holder, "_version_of", down)
    holder._checked = float("-inf")
    assert client.get("/ready").status_code == 503
    assert client.get("/health").status_code == 200


def test_search_logs_hold_no_full_postcode_or_precise_point(client, services, caplog):
    import_file(services, V1, source_name="CAK apotheken")
    logger = logging.getLogger("directory_api")
    logger.propagate = True
    try:
        with caplog.at_level(logging.DEBUG, logger="directory_api"):
            client.get("/v1/search?care=pharmacy&lat=52.123456&lon=5.654321")
            if services.gazetteer.available:
                client.get("/v1/search?care=pharmacy&near=3511%20AB")
    finally:
        logger.propagate = False
    text = "\n".join(
        f"{r.getMessage()} {json.dumps(r.__dict__, default=str)}" for r in caplog.records
    )
    assert "search" in text
    assert "52.1234" not in text and "5.6543" not in text
    assert "3511 AB" not in text and "3511AB" not in text and "127.0.0.1" not in text


def test_cli_versions_diff_rollback(services, database_url, tmp_path, geodata_dir):
    import_file(services, V1, source_name="CAK apotheken")
    import_file(services, V2, source_name="CAK apotheken")
    env = {
        "DATABASE_URL": database_url,
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_GEODATA_PATH": str(geodata_dir),
    }
    runner = CliRunner()
    out = runner.invoke(main, ["versions", "cak-apotheken"], env=env).output
    assert "  v1\t2 rows" in out and "* v2\t2 rows" in out
    out = runner.invoke(main, ["diff", "cak-apotheken", "--from", "1", "--to", "2"], env=env).output
    assert "added 1, removed 1, changed 1" in out and "cak_contracted" in out
    # A page past the entries shows the counts only; a bad page size is refused.
    out = runner.invoke(main, ["diff", "cak-apotheken", "--offset", "1", "--limit", "1"], env=env)
    assert "added 1, removed 1, changed 1" in out.output and "+ " not in out.output
    bad = runner.invoke(main, ["diff", "cak-apotheken", "--limit", "1001"], env=env)
    assert bad.exit_code == 2 and "--limit" in bad.output
    result = runner.invoke(main, ["rollback", "cak-apotheken", "--to", "1"], env=env)
    assert result.exit_code == 0 and "version 1 published again" in result.output
    result = runner.invoke(main, ["rollback", "nope", "--to", "1"], env=env)
    assert result.exit_code == 1 and "unknown source" in result.output
    out = runner.invoke(main, ["import", "--help"], env=env).output
    assert "--dry-run" in out


def test_two_instances_share_one_store(make_app):
    """An import through one server is served by the other within the check interval."""
    a = make_app(
        DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN), DIRECTORY_VERSION_CHECK_SECONDS=0.5
    )
    b = make_app(DIRECTORY_VERSION_CHECK_SECONDS=0.5)
    import urllib.request

    with LiveServer(a) as server_a, LiveServer(b) as server_b:

        def total(server) -> int:
            with urllib.request.urlopen(f"{server.url}/v1/providers") as r:
                return json.load(r)["total"]

        assert total(server_b) == 0
        request = urllib.request.Request(
            f"{server_a.url}/v1/sources/shared/imports",
            data=json.dumps(
                {"rows": [{"name": "Gedeeld", "category": "gp", "lat": 52, "lon": 5}]}
            ).encode(),
            headers={**AUTH, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as r:
            assert r.status == 201
        deadline = time.monotonic() + 5
        while total(server_b) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert total(server_b) == 1


def test_every_provider_says_which_list_and_date_it_came_from(client, services):
    from datetime import date

    import_file(services, V1, source_name="CAK apotheken", list_date=date(2026, 1, 1))
    body = client.get("/v1/search?care=pharmacy&lat=52.1&lon=5.1")
    provider = body.get_json()["results"][0]["provider"]
    assert provider["source"] == "cak-apotheken" and provider["source_version"] == 1
    assert provider["source_list_date"] == "2026-01-01"
    assert body.headers["X-Data-Version"] == str(body.get_json()["data_version"])
    listed = client.get("/v1/providers").get_json()["items"][0]
    assert listed["source_list_date"] == "2026-01-01"
