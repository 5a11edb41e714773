"""The in-memory directory and its holder: swapped whole, in the background, never half."""

from __future__ import annotations

import json
import threading
import time

from directory_api.models import Provider
from directory_api.search.directory import Directory, DirectoryHolder


def _providers(version: int) -> list[Provider]:
    return [Provider(f"p{version}", f"P{version}", "gp", None, 52.0, 5.0, "coordinates", "s", 1)]


def test_holder_swaps_in_the_background_and_never_serves_half():
    version = {"n": 1}
    release = threading.Event()

    def load():
        n = version["n"]
        if n > 1:
            release.wait(5)
        return n, _providers(n)

    holder = DirectoryHolder(lambda: version["n"], load, interval=0.0, swap_wait=0.05)
    first = holder.get()
    assert first.data_version == 1
    version["n"] = 2
    started = time.monotonic()
    assert holder.get() is first  # the slow build does not stall requests
    assert time.monotonic() - started < 1
    release.set()
    deadline = time.monotonic() + 5
    while holder.get().data_version != 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    current = holder.get()
    assert current.data_version == 2 and [p.id for p in current.providers] == ["p2"]


def test_holder_keeps_serving_when_a_reload_fails():
    version = {"n": 1}

    def load():
        if version["n"] == 2:
            raise ConnectionError("store went away")
        return version["n"], _providers(version["n"])

    holder = DirectoryHolder(lambda: version["n"], load, interval=0.0, swap_wait=1.0)
    first = holder.get()
    version["n"] = 2
    assert holder.get() is first
    version["n"] = 3
    assert holder.get().data_version == 3


def test_directory_in_box_and_lazy_texts():
    ps = [
        Provider("a", "A", "gp", None, 52.0, 5.0, "coordinates", "s", 1),
        Provider("b", "B", "gp", True, 53.0, 6.0, "coordinates", "s", 1),
    ]
    d = Directory.build(1, ps)
    assert d.in_box(4.9, 51.9, 5.1, 52.1) == [0]
    assert d.in_box(5.0, 52.0, 6.0, 53.0) == [0, 1]  # edges included
    assert json.loads(d.json_bytes(0))["name"] == "A"  # encoded once, on first use
