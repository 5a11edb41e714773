"""Issue 14: a diff between two big versions is computed once, then served in pages.

Two 20k-row versions used to give a 2 MB body recomputed on every request. Now the body
holds the counts and at most 1,000 entries of each kind; bad paging values are a 422 naming
the field; the import response carries the counts and the first page only.
"""

from __future__ import annotations

import io
import time

from directory_api.imports.pipeline import import_file
from tests.helpers import assert_error_shape
from tests.reliability.conftest import AUTH, provider_csv, record_figures

N = 20_000


def test_big_diffs_are_paged_and_cached(admin_app, admin, database_url):
    services = admin_app.extensions["directory"]
    for seed, prefix, ids in ((1, "Apotheek Oud", "X"), (2, "Apotheek Nieuw", "Y")):
        body = provider_csv(N, prefix=prefix, ids=ids, seed=seed)
        import_file(services, body, source_name="Groot", slug="groot")
    small = provider_csv(300, prefix="Apotheek Klein", ids="Z", seed=3)
    r = admin.post(
        "/v1/sources/groot/imports?dry_run=true",
        data={"file": (io.BytesIO(small), "lijst.csv")},
        headers=AUTH,
    )
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    imported = r.get_json()["diff"]
    assert imported["counts"] == {"added": 300, "removed": N, "changed": 0, "unchanged": 0}
    assert len(imported["added"]) == 100 and len(imported["removed"]) == 100

    timings, sizes = [], []
    for offset in (0, 0, 1000, 19_500):
        t0 = time.perf_counter()
        r = admin.get(f"/v1/sources/groot/diff?limit=1000&offset={offset}")
        timings.append(time.perf_counter() - t0)
        assert r.status_code == 200
        sizes.append(len(r.data))
        body = r.get_json()
        assert body["counts"]["added"] == N and body["counts"]["removed"] == N
        assert len(body["added"]) == min(1000, N - offset)
    whole = [admin.get(f"/v1/sources/groot/diff?limit=1000&offset={o}") for o in range(0, N, 1000)]
    ids = [c["id"] for r in whole for c in r.get_json()["added"]]
    assert len(ids) == len(set(ids)) == N  # the pages cover the diff, each entry once

    for query, field in (("limit=0", "limit"), ("limit=1001", "limit"), ("offset=-1", "offset")):
        assert_error_shape(admin.get(f"/v1/sources/groot/diff?{query}"), 422, field)
    record_figures(
        "big_diffs",
        database_url,
        rows_per_version=N,
        first_request_ms=round(timings[0] * 1000, 1),
        cached_request_ms=round(min(timings[1:]) * 1000, 1),
        page_bytes_max=max(sizes),
    )
    assert min(timings[1:]) < timings[0]
    assert max(sizes) < 200_000
