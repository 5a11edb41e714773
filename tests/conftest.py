"""Fixtures: an app per store (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

from directory_api import create_app
from directory_api.geo.geodata import DATASETS, status

REPO = Path(__file__).resolve().parent.parent


def real_geodata_dir() -> Path:
    """Where `make test` fetched the real geodata (instance/geodata unless overridden)."""
    instance = os.environ.get("DIRECTORY_INSTANCE_PATH") or str(REPO / "instance")
    return Path(os.environ.get("DIRECTORY_GEODATA_PATH") or Path(instance) / "geodata")


def have_real_geodata() -> bool:
    found = status(real_geodata_dir())
    return all(found.get(d.name) for d in DATASETS)


needs_geodata = pytest.mark.skipif(
    not have_real_geodata(),
    reason=f"real geodata not fetched into {real_geodata_dir()}: run 'make geodata' "
    "(make test does this; in CI they are present)",
)


STORES = ["sqlite", "postgresql"]


def _pg_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


@pytest.fixture(params=STORES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A clean database of each kind: an SQLite file, or PostgreSQL with a fresh schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    url = _pg_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: set TEST_DATABASE_URL (.ci/run does)")
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (make test sets it when PostgreSQL "
            "answers on 127.0.0.1:5432; .ci/run always does)"
        )
    with pg_schema(url) as schema_url:
        yield schema_url


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test (dropped after), as the URL's search_path."""
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def geodata_dir(tmp_path: Path) -> Path:
    """The real geodata when fetched, else an empty folder (coordinates-only searches)."""
    return real_geodata_dir() if have_real_geodata() else tmp_path / "no-geodata"


@pytest.fixture
def make_app(database_url: str, tmp_path: Path, geodata_dir: Path):
    """Factory for apps sharing this test's store."""
    apps: list[Flask] = []

    def factory(**settings: object) -> Flask:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
                "DIRECTORY_GEODATA_PATH": str(geodata_dir),
                "DIRECTORY_VERSION_CHECK_SECONDS": 0.0,
                **settings,
            }
        )
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["directory"].store.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def services(app: Flask):
    return app.extensions["directory"]
