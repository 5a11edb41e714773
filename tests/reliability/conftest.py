"""Shared by the reliability tests: an admin token, a small directory, full snapshots of what
is served, generated lists, and the figures file (tests/artifacts/reliability.json)."""

from __future__ import annotations

import fcntl
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from directory_api.imports.pipeline import import_file
from directory_api.web.auth import token_hash

TOKEN = "reliability-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BIN = Path(sys.executable).parent
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
FIGURES = ARTIFACTS / "reliability.json"

HEADER = "id,naam,categorie,gecontracteerd,straat,huisnummer,postcode,plaats,telefoon,lat,lon\n"


def store_kind(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


def record_figures(test: str, database_url: str | None, **figures: Any) -> None:
    """Merge this run's figures into tests/artifacts/reliability.json (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    key = test if database_url is None else f"{test}[{store_kind(database_url)}]"
    # pytest-xdist workers write it too: one read-merge-write at a time.
    with open(FIGURES.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(FIGURES.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        data[key] = {"recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **figures}
        FIGURES.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def provider_csv(n: int, *, prefix: str, ids: str, seed: int = 1, start: int = 0) -> bytes:
    """A valid CSV of n contracted pharmacies with coordinates spread over the Netherlands."""
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(start, start + n):
        lat, lon = rng.uniform(50.8, 53.4), rng.uniform(3.4, 7.1)
        lines.append(
            f"{ids}{i},{prefix} {i},apotheek,ja,Dorpsstraat,{i % 300 + 1},3511 AB,Utrecht,"
            f"030 123 4567,{lat:.5f},{lon:.5f}\n"
        )
    return "".join(lines).encode("utf-8")


# A small directory: 45 pharmacies (three pages of 20), hospitals and GPs from three lists.
PHARMACIES = provider_csv(45, prefix="Apotheek Basis", ids="P", seed=7)
HOSPITALS = (
    b"naam,categorie,gecontracteerd,postcode,plaats,lat,lon\n"
    b"Ziekenhuis Noord,ziekenhuis,ja,3584 CX,Utrecht,52.087,5.179\n"
    b"Ziekenhuis Zuid,ziekenhuis,,5223 GZ,'s-Hertogenbosch,51.70,5.32\n"
    b"Ziekenhuis West,ziekenhuis,nee,1066 CX,Amsterdam,52.35,4.83\n"
)
GPS = (
    b"naam;categorie;postcode;plaats;telefoon;website;lat;lon\n"
    b"Huisartsenpraktijk Dom;huisarts;3512 JE;Utrecht;+31 30 123 4567;www.example.nl;52,09;5,12\n"
    b"Huisarts \xc3\x89\xc3\xa9n;huisarts;1012 JS;Amsterdam;020-1234567;;52,37;4,89\n"
)


def load_small_directory(services: Any) -> None:
    import_file(services, PHARMACIES, source_name="CAK apotheken", list_date=None)
    import_file(services, HOSPITALS, source_name="Ziekenhuizen")
    import_file(services, GPS, source_name="Huisartsen")


def snapshot(client: Any) -> dict[str, Any]:
    """Everything a client can read about the data: every page of /v1/providers, /v1/sources."""
    pages = []
    page = 1
    while True:
        r = client.get("/v1/providers", query_string={"page": page, "page_size": 20})
        assert r.status_code == 200, r.get_data(as_text=True)
        body = r.get_json()
        pages.append(body)
        if page * 20 >= body["total"]:
            break
        page += 1
    sources = client.get("/v1/sources")
    assert sources.status_code == 200
    return {"providers": pages, "sources": sources.get_json()}


@pytest.fixture
def admin_app(make_app):
    """An app that accepts TOKEN on its admin endpoints, with the small directory loaded."""
    app = make_app(DIRECTORY_ADMIN_TOKEN_HASHES=token_hash(TOKEN))
    load_small_directory(app.extensions["directory"])
    return app


@pytest.fixture
def admin(admin_app):
    return admin_app.test_client()


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, geodata_dir: Path) -> dict[str, str]:
    """Environment for `directory-api` subprocesses on this test's store."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_GEODATA_PATH": str(geodata_dir),
    }


@pytest.fixture
def pg():
    """A private PostgreSQL cluster this test may stop and start (tests/reliability/pgcluster)."""
    from tests.reliability.pgcluster import pg_cluster

    yield from pg_cluster()
