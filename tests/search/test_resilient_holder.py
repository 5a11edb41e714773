"""ResilientHolder without a database: a store that goes away and comes back."""

from __future__ import annotations

import logging
import time

import pytest

from directory_api.errors import StoreUnavailable
from directory_api.search.resilient import ResilientHolder


class Down(Exception):
    """What the fake store raises while it is unreachable."""


class FakeStore:
    def __init__(self) -> None:
        self.version = 1
        self.up = True
        self.calls = 0
        self.failures_at: list[float] = []

    def version_of(self) -> int:
        self.calls += 1
        if not self.up:
            self.failures_at.append(time.monotonic())
            raise Down("connection refused")
        return self.version

    def load(self) -> tuple[int, list]:
        if not self.up:
            raise Down("connection refused")
        return self.version, []


def holder(store: FakeStore, **kwargs) -> ResilientHolder:
    return ResilientHolder(
        store.version_of,
        store.load,
        is_outage=lambda e: isinstance(e, Down),
        interval=0.0,
        retry_first=0.05,
        retry_max=0.2,
        **kwargs,
    )


def wait_until(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_serves_from_memory_logs_once_and_picks_up_the_next_version(caplog):
    store = FakeStore()
    h = holder(store)
    assert h.get().data_version == 1
    store.up = False
    with caplog.at_level(logging.INFO, logger="directory_api.search.resilient"):
        calls_before = store.calls
        for _ in range(200):
            assert h.get().data_version == 1
        # Requests do not ask the store during the outage: only the background retries do.
        assert store.calls - calls_before <= 1 + h.retries
        assert h.outage is not None and "serving data version 1 from memory" in h.reason()
        time.sleep(0.6)
        gaps = [b - a for a, b in zip(store.failures_at[1:], store.failures_at[2:], strict=False)]
        assert gaps and max(gaps) >= 0.15  # backoff: 0.05, 0.1, 0.2, 0.2 ...
        assert len(gaps) < 10
        store.version, store.up = 2, True
        wait_until(lambda: h.get().data_version == 2)
        # the retry thread swaps the index in, then clears the outage and says so
        wait_until(lambda: any("reachable again" in r.getMessage() for r in caplog.records))
    assert h.outage is None and h.reason() is None
    lines = [r.getMessage() for r in caplog.records]
    assert len([x for x in lines if "store not reachable" in x]) == 1, lines
    assert len([x for x in lines if "reachable again" in x]) == 1, lines


def test_without_an_index_it_says_unavailable_then_loads():
    store = FakeStore()
    store.up = False
    h = holder(store)
    with pytest.raises(StoreUnavailable, match="no data loaded yet"):
        h.get()
    assert "no data loaded yet" in h.reason()
    store.up = True
    wait_until(lambda: h.loaded is not None)
    assert h.get().data_version == 1


def test_other_errors_are_not_outages():
    store = FakeStore()
    h = ResilientHolder(
        lambda: (_ for _ in ()).throw(ValueError("bug")),
        store.load,
        is_outage=lambda e: isinstance(e, Down),
        interval=0.0,
    )
    with pytest.raises(ValueError):
        h.get()
    assert h.outage is None


def test_a_write_that_meets_the_outage_starts_it():
    store = FakeStore()
    h = holder(store)
    h.get()
    store.up = False
    h.report(Down("refused"))
    assert h.outage is not None and h.outage.cause == "Down"
    assert h.refresh().data_version == 1  # /ready does not ask the store meanwhile
    store.up = True
    wait_until(lambda: h.outage is None)
