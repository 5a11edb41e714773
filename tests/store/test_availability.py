"""Telling a store outage from other database errors; naming the store without secrets."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from directory_api.errors import StoreUnavailable
from directory_api.store.availability import LazySchema, store_name, unavailable, unreachable


def test_store_name_has_no_password_and_no_options():
    url = "postgresql+psycopg://app:s3cret@db.internal:5433/directory?options=-csearch_path%3Dx"
    assert store_name(url) == "postgresql+psycopg://app@db.internal:5433/directory"
    assert "s3cret" not in unavailable(url).message
    assert unavailable(url).status == 503
    assert store_name("sqlite:////var/lib/dir.sqlite3") == "sqlite:////var/lib/dir.sqlite3"
    assert store_name("not a url") == "the configured DATABASE_URL"


def test_an_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3")
    with pytest.raises(OperationalError) as caught:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    assert unreachable(caught.value)
    engine.dispose()


def test_other_database_errors_are_not_outages():
    assert not unreachable(OperationalError("SELECT 1", {}, Exception("made up")))
    assert not unreachable(IntegrityError("INSERT", {}, Exception("duplicate")))
    assert not unreachable(ValueError("bug"))
    assert unreachable(StoreUnavailable("the store at x is not reachable"))


def test_missing_table_on_sqlite_is_not_an_outage():
    engine = create_engine("sqlite://")
    with pytest.raises(OperationalError) as caught:
        with engine.connect() as conn:
            conn.execute(text("select * from nowhere"))
    assert not unreachable(caught.value)
    engine.dispose()


def test_lazy_schema_runs_once_and_again_after_a_failure():
    calls: list[int] = []

    def create() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise StoreUnavailable("down")

    schema = LazySchema(create)
    with pytest.raises(StoreUnavailable):
        schema.ensure()
    assert not schema.done
    assert schema.before(lambda: 7)() == 7
    schema.ensure()
    assert schema.done and len(calls) == 2
