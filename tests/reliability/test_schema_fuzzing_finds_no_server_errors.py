"""Schemathesis against the app's own OpenAPI document, every operation, in process.

Generated requests (valid and invalid) must never get a 5xx, every response must match the
documented schema and status codes, carry `nosniff`, and every error must have the one error
shape without a stack trace. Findings become plain regression tests below.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from directory_api.models import CARE_CODES, SCHEMES
from tests.conftest import needs_geodata
from tests.helpers import assert_error_shape
from tests.reliability.conftest import AUTH, PHARMACIES, TOKEN, record_figures, snapshot

# Examples per operation, generation mode and path variant: about 1,850 requests per store.
EXAMPLES = int(os.environ.get("DIRECTORY_FUZZ_EXAMPLES", "100"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
LEAKS = ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "SELECT ", "INSERT ", 'File "')


def own_checks(response: Any) -> None:
    """What the documented schema cannot say: nosniff everywhere, one error shape, no leaks."""
    headers = {k.lower(): v for k, v in response.headers.items()}
    assert headers.get("x-content-type-options") == ["nosniff"], headers
    text = response.content.decode("utf-8", "replace")
    sent = unquote(response.request.url or "")  # a name echoed from the request is no leak
    assert not any(leak in text and leak not in sent for leak in LEAKS), text[:2000]
    if response.status_code >= 400:
        body = response.json()
        if body.get("resourceType") == "OperationOutcome":  # /fhir errors are FHIR's (issue 13)
            assert body["issue"] and body["issue"][0]["diagnostics"], body
            return
        assert body["code"] == body["status"] == response.status_code, body
        assert isinstance(body["message"], str) and body["message"], body


def path_variants(operation: Any, known: dict[str, Any]) -> list[dict[str, str] | None]:
    """Generated path parameters, and known ones so that the operation finds something."""
    names = {p.name for p in operation.path_parameters}
    fixed = {k: v for k, v in known.items() if k in names}
    return [None, fixed] if fixed else [None]


def fuzz(strategy: Any, label: str, mode: GenerationMode, statuses: Counter[str]) -> list[str]:
    """Run up to EXAMPLES generated cases; return the failures (a report each)."""
    failures: list[str] = []
    ran = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal ran
        ran += 1
        try:
            response = case.call_and_validate(headers=dict(AUTH), checks=CHECKS)
            statuses[f"{label} {response.status_code}"] += 1
            own_checks(response)
        except (AssertionError, FailureGroup) as error:  # one failed check, or several
            failures.append(f"{label} ({mode.value}): {error}\n{case!r}"[:4000])

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (no parameters, no body): no negative cases exist.
        assert mode is GenerationMode.NEGATIVE and ran == 0, label
    return failures


def explicit_cases(operation: Any, known: dict[str, Any]) -> list[Any]:
    """Requests that find data, so that full answers are checked against the schema too."""
    label = operation.label
    if label == "GET /v1/search":
        queries: list[dict[str, Any]] = [
            {"care": care, "scheme": scheme, "lat": 52.09, "lon": 5.12, "limit": 100}
            for care in CARE_CODES
            for scheme in SCHEMES
        ]
        places = ("3511 AB", "3511", "Utrecht") if known["gazetteer"] else ()
        queries += [
            {"care": "pharmacy", "near": near, "lang": "en", "max_km": 300}
            for near in (*places, "52.09,5.12")
        ]
        queries.append({"care": "pharmacy", "lat": 52.09, "lon": 5.12, "as_of": "2099-01-01"})
        return [operation.Case(query=q) for q in queries]
    if label == "GET /v1/providers":
        queries = [
            {"q": "apotheek", "page_size": 100},
            {"category": "pharmacy", "contracted": "true", "page": 2},
            {"contracted": "unknown"},
            {"city": "Utrecht", "bbox": "3.2,50.6,7.3,53.7"},
        ]
        return [operation.Case(query=q) for q in queries]
    if label == "GET /v1/providers/{provider_id}":
        return [operation.Case(path_parameters={"provider_id": i}) for i in known["ids"]]
    if label in {"GET /v1/sources/{source}/versions", "GET /v1/sources/{source}/diff"}:
        return [operation.Case(path_parameters={"source": known["source"]})]
    if label == "POST /v1/sources/{source}/imports":
        rows = [{"naam": "Apotheek Json", "categorie": "apotheek", "lat": 52.1, "lon": 5.1}]
        return [
            operation.Case(
                path_parameters={"source": known["source"]},
                body={"file": PHARMACIES, "dry_run": True},
                media_type="multipart/form-data",
            ),
            operation.Case(
                path_parameters={"source": "json-list"},
                body={"rows": rows, "contracted": True},
                media_type="application/json",
            ),
        ]
    if label == "POST /v1/sources/{source}/rollback":
        return [
            operation.Case(
                path_parameters={"source": known["source"]},
                body={"version": 1},
                media_type="application/json",
            )
        ]
    return []


@pytest.mark.slow
@needs_geodata  # without it, searches by postcode or place are a 503 by design
def test_generated_requests_get_no_5xx_and_match_the_schema(admin_app, database_url):
    services = admin_app.extensions["directory"]
    ids = [p.id for p in services.directory().providers[:5]]
    known: dict[str, Any] = {
        "source": "cak-apotheken",
        "provider_id": ids[0],
        "location_id": ids[0],  # GET /fhir/Location/{location_id}: one per provider (issue 13)
        "ids": ids,
        "gazetteer": services.gazetteer.available,
    }
    schema = schemathesis.openapi.from_wsgi("/openapi.json", admin_app)
    failures: list[str] = []
    statuses: Counter[str] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for case in explicit_cases(operation, known):
            response = case.call_and_validate(headers=dict(AUTH), checks=CHECKS)
            statuses[f"{operation.label} {response.status_code}"] += 1
            own_checks(response)
            assert response.status_code in (200, 201), response.content
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for fixed in path_variants(operation, known):
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
                failures += fuzz(strategy, operation.label, mode, statuses)

    requests = sum(statuses.values())
    record_figures(
        "schema_fuzzing",
        database_url,
        operations=operations,
        requests=requests,
        failures=len(failures),
        examples_per_variant=EXAMPLES,
        server_errors=sum(n for k, n in statuses.items() if k.endswith((" 500", " 502", " 503"))),
        statuses=dict(sorted(statuses.items())),
    )
    assert operations >= 11
    assert not failures, f"{len(failures)} failure(s):\n\n" + "\n\n".join(failures[:10])
    # Every operation also answered with data (full answers were checked against the schema,
    # not only errors): the explicit cases see to that.
    succeeded = {k.rsplit(" ", 1)[0] for k in statuses if k.endswith((" 200", " 201"))}
    assert {
        "POST /v1/sources/{source}/imports",
        "GET /v1/search",
        "GET /v1/providers",
        "GET /v1/providers/{provider_id}",
        "GET /v1/sources/{source}/versions",
        "GET /v1/sources/{source}/diff",
        "POST /v1/sources/{source}/rollback",
    } <= succeeded, sorted(succeeded)
    assert admin_app.test_client().get("/ready").get_json() == {"status": "ready"}


# -- regression tests for what the fuzzing found ----------------------------------------------

BOUNDARY = "fuzzboundary"


def multipart(*parts: tuple[str, bytes]) -> bytes:
    """A multipart body from raw Content-Disposition parameter strings."""
    out = b""
    for disposition, value in parts:
        out += f"--{BOUNDARY}\r\nContent-Disposition: form-data{disposition}\r\n\r\n".encode()
        out += value + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize(
    "nameless",
    ["", '; name="\\"'],  # no name parameter at all; a name werkzeug cannot read
    ids=["no-name", "backslash-name"],
)
def test_multipart_part_without_a_name_is_a_422_not_a_500(admin, nameless):
    """Found by schemathesis: a form part without a usable name reached the error handler
    as the field None, and sorting the error keys (None vs str) raised: a 500."""
    before = admin.get("/v1/sources").get_json()
    body = multipart(
        (nameless, b"x"),
        ('; name="category"', b"not-a-category"),
        ('; name="file"; filename="list.csv"', b"naam,categorie\nA,apotheek\n"),
    )
    r = admin.post(
        "/v1/sources/cak-apotheken/imports",
        data=body,
        headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    errors = assert_error_shape(r, 422)["errors"]
    assert all(isinstance(k, str) for k in errors)
    assert "category" in errors and "(unnamed field)" in errors
    assert admin.get("/v1/sources").get_json() == before


def test_unnamed_part_alone_is_reported_too(admin):
    body = multipart(("", b"{}"), ('; name="file"; filename="f.csv"', b"naam\n"))
    r = admin.post(
        "/v1/sources/cak-apotheken/imports",
        data=body,
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )
    assert assert_error_shape(r, 422)["errors"] == {"(unnamed field)": ["Unknown field."]}


def test_upload_of_a_gif_is_a_422_naming_line_1(admin):
    """A generated binary 'file' (schemathesis sends a GIF) is rejected, not a 500."""
    r = admin.post(
        "/v1/sources/cak-apotheken/imports",
        data={"file": (io.BytesIO(b"GIF87a\x01\x00\x01\x00\x81\x00\x00\x00;"), "file.gif")},
        headers=AUTH,
    )
    body = assert_error_shape(r, 422)
    assert body["problems"] == [{"line": 1, "column": None, "reason": "not a text/CSV file"}]


@pytest.mark.parametrize("version", [2**31, 2**63, 2**70])
def test_rollback_to_a_version_no_column_can_hold_is_a_404(admin, version):
    """Found by schemathesis on PostgreSQL (2**31: integer out of range) and SQLite (2**63:
    Python int too large): a 500 from the database; now simply no such version."""
    before = snapshot(admin)
    r = admin.post("/v1/sources/cak-apotheken/rollback", json={"version": version}, headers=AUTH)
    assert_error_shape(r, 404, "version")
    assert admin.get(f"/v1/sources/cak-apotheken/diff?to={version}").status_code == 404
    assert snapshot(admin) == before


@pytest.mark.parametrize("slug", ["a%00b", "%00", "x" * 5000, "a.b", "Not%20A%20Slug"])
def test_source_paths_that_are_no_slug_are_a_404(admin, slug):
    """A NUL in the path reached PostgreSQL (which refuses it in a query: 500); on SQLite
    the rollback's lock file name held the NUL or was too long for the file system (500)."""
    before = snapshot(admin)
    for r in (
        admin.get(f"/v1/sources/{slug}/versions"),
        admin.get(f"/v1/sources/{slug}/diff"),
        admin.post(f"/v1/sources/{slug}/rollback", json={"version": 1}, headers=AUTH),
    ):
        assert_error_shape(r, 404, "source")
    r = admin.post(f"/v1/sources/{slug}/imports", json={"rows": [{"name": "a"}]}, headers=AUTH)
    assert_error_shape(r, 422, "source")
    assert snapshot(admin) == before
