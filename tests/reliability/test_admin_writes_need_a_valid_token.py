"""Only a bearer token configured for this server may write: every other credential gets a
401 (none given) or 403 (not valid here), in the one error shape, and changes nothing."""

from __future__ import annotations

import io

import pytest

from directory_api.web.auth import token_hash
from tests.helpers import assert_error_shape
from tests.reliability.conftest import AUTH, PHARMACIES, TOKEN, load_small_directory, snapshot

OTHER_ENVIRONMENT = "staging-token-not-for-production"

MISSING = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer    "},
    {"Authorization": "Basic " + "YWRtaW46YWRtaW4="},
    {"Authorization": f"Token {TOKEN}"},
    {"Authorization": TOKEN},
    {"X-Api-Key": TOKEN},
    {"Cookie": f"token={TOKEN}"},
]
WRONG = [
    {"Authorization": "Bearer wrong"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},  # truncated by one character
    {"Authorization": f"Bearer {TOKEN[: len(TOKEN) // 2]}"},  # half of it
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN.upper()}"},
    {"Authorization": f"Bearer {TOKEN} {TOKEN}"},
    {"Authorization": f"Bearer {token_hash(TOKEN)}"},  # the configured hash is not the token
    {"Authorization": f"Bearer {OTHER_ENVIRONMENT}"},  # valid on another server
    {"Authorization": "Bearer " + "A" * 10_000},
]


def attempts(client, headers: dict[str, str]):
    """Every write the admin API offers, with these headers."""
    yield client.post(
        "/v1/sources/cak-apotheken/imports",
        data={"file": (io.BytesIO(PHARMACIES.replace(b"Basis", b"Vals")), "list.csv")},
        headers=headers,
    )
    rows = [{"naam": "Vals", "categorie": "apotheek", "lat": 52.1, "lon": 5.1}]
    yield client.post("/v1/sources/cak-apotheken/imports", json={"rows": rows}, headers=headers)
    yield client.post("/v1/sources/nieuwe-lijst/imports", json={"rows": rows}, headers=headers)
    yield client.post(
        "/v1/sources/cak-apotheken/imports?dry_run=true", json={"rows": rows}, headers=headers
    )
    yield client.post("/v1/sources/cak-apotheken/rollback", json={"version": 1}, headers=headers)
    yield client.delete("/v1/sources/cak-apotheken", headers=headers)


@pytest.mark.parametrize(
    ("headers", "status"),
    [(h, 401) for h in MISSING] + [(h, 403) for h in WRONG],
    ids=[f"missing-{i}" for i in range(len(MISSING))] + [f"wrong-{i}" for i in range(len(WRONG))],
)
def test_bad_credentials_are_refused_and_change_nothing(admin, headers, status):
    before = snapshot(admin)
    versions = admin.get("/v1/sources/cak-apotheken/versions").get_json()
    for r in attempts(admin, headers):
        body = assert_error_shape(r, status)
        assert TOKEN not in r.get_data(as_text=True)
        if status == 401:
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert "dry_run" not in body and "data_version" not in body
    assert snapshot(admin) == before
    assert admin.get("/v1/sources/cak-apotheken/versions").get_json() == versions
    assert admin.get("/v1/providers?q=vals").get_json()["total"] == 0


def test_a_token_of_another_environment_works_there_only(make_app):
    production = make_app(DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN))
    staging = make_app(DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(OTHER_ENVIRONMENT))
    load_small_directory(production.extensions["directory"])
    prod, stage = production.test_client(), staging.test_client()
    before = snapshot(prod)
    rows = [{"naam": "Staging", "categorie": "apotheek", "lat": 52.1, "lon": 5.1}]
    other = {"Authorization": f"Bearer {OTHER_ENVIRONMENT}"}
    r = prod.post("/v1/sources/staging/imports", json={"rows": rows}, headers=other)
    assert_error_shape(r, 403)
    assert snapshot(prod) == before
    r = stage.post(
        "/v1/sources/staging/imports", json={"rows": rows, "dry_run": True}, headers=other
    )
    assert r.status_code == 200  # accepted by the server it was made for
    assert_error_shape(
        stage.post("/v1/sources/staging/imports", json={"rows": rows}, headers=AUTH), 403
    )


def test_rotation_two_configured_tokens_both_work_removed_one_does_not(make_app):
    old, new = "old-token-being-rotated", "new-token-after-rotation"
    both = make_app(DIRECTORY_ADMIN_TOKEN_HASHES=f"{token_hash(old)}, {token_hash(new)}")
    rows = [{"naam": "Rotatie", "categorie": "apotheek", "lat": 52.1, "lon": 5.1}]
    for token in (old, new):
        r = both.test_client().post(
            "/v1/sources/rotatie/imports",
            json={"rows": rows, "dry_run": True},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200
    only_new = make_app(DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(new)).test_client()
    r = only_new.post(
        "/v1/sources/rotatie/imports",
        json={"rows": rows},
        headers={"Authorization": f"Bearer {old}"},
    )
    assert_error_shape(r, 403)


def test_no_configured_tokens_means_no_writes_at_all(make_app):
    client = make_app(DIRECTORY_ADMIN_TOKEN_HASHES="").test_client()
    rows = [{"naam": "X", "categorie": "apotheek", "lat": 52.1, "lon": 5.1}]
    for token in (TOKEN, "", " ", token_hash("")):
        r = client.post(
            "/v1/sources/x/imports",
            json={"rows": rows},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code in (401, 403)
    assert client.get("/v1/providers").get_json()["total"] == 0


def test_other_methods_on_admin_paths_cannot_write(admin):
    before = snapshot(admin)
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        for path in ("/v1/sources/cak-apotheken/imports", "/v1/sources/cak-apotheken/rollback"):
            r = admin.open(path, method=method, headers=AUTH, json={"version": 1})
            assert_error_shape(r, 405)
    # DELETE of a source takes it out of what is served (issue 11): an unknown one is a 404.
    assert_error_shape(admin.delete("/v1/sources/geen-lijst", headers=AUTH), 404, "source")
    assert admin.delete("/v1/providers", headers=AUTH).status_code == 405
    assert snapshot(admin) == before


def test_the_valid_token_does_write(admin):
    """The control: the same requests with the configured token succeed."""
    results = [r.status_code for r in attempts(admin, AUTH)]
    assert results == [201, 201, 201, 200, 200, 200]
    # cak-apotheken was rolled back to version 1, then removed; the new list keeps its row.
    assert admin.get("/v1/providers?q=vals").get_json()["total"] == 1
