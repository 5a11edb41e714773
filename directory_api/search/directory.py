"""One published data version held in memory, and the holder that swaps it whole."""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from directory_api.geo.distance import PointIndex
from directory_api.hours.book import HoursBook
from directory_api.models import Provider
from directory_api.text import fold

if TYPE_CHECKING:
    from directory_api.search.rules import FacilityRule

log = logging.getLogger(__name__)

IndexKey = tuple[str, bool | None]  # (category, cak_contracted)
PROVIDER_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Provider))


def provider_json(p: Provider) -> dict[str, Any]:
    """The provider as served."""
    data = {key: getattr(p, key) for key in PROVIDER_KEYS}
    data["lat"] = round(p.lat, 6)
    data["lon"] = round(p.lon, 6)
    if p.source_list_date is not None:
        data["source_list_date"] = p.source_list_date.isoformat()
    return data


@dataclass(frozen=True)
class Directory:
    """Every published provider of one data version, with a spatial index per category."""

    data_version: int
    providers: tuple[Provider, ...]
    by_id: dict[str, int] = field(repr=False)
    indexes: dict[IndexKey, PointIndex] = field(repr=False)
    lats: np.ndarray = field(repr=False)
    lons: np.ndarray = field(repr=False)
    # JSON text of each provider, encoded the first time it is served.
    _texts: list[bytes | None] = field(repr=False)
    # Every distinct opening_hours string, compiled once per data version.
    hours: HoursBook = field(repr=False, default_factory=lambda: HoursBook(()))
    # Shortlists narrowed by a facility rule (which hospital locations suit the care),
    # built the first time a rule asks for them: once per data version and rule.
    _narrowed: dict[tuple[IndexKey, FacilityRule], PointIndex] = field(
        repr=False, default_factory=dict
    )

    @classmethod
    def build(cls, data_version: int, providers: Iterable[Provider]) -> Directory:
        """Index providers, ordered by name then id so that every listing is stable. Example
        providers of a category that a real (non-example) source holds are left out."""
        ordered = tuple(sorted(served(providers), key=lambda p: (p.name, p.id)))
        _share_hours(ordered)
        lats = np.fromiter((p.lat for p in ordered), dtype=float, count=len(ordered))
        lons = np.fromiter((p.lon for p in ordered), dtype=float, count=len(ordered))
        groups: dict[IndexKey, list[int]] = {}
        for i, p in enumerate(ordered):
            groups.setdefault((p.category, p.cak_contracted), []).append(i)
        indexes = {
            key: PointIndex(lats[ids], lons[ids], ids)
            for key, ids in ((k, np.asarray(v, dtype=np.int64)) for k, v in groups.items())
        }
        return cls(
            data_version=data_version,
            providers=ordered,
            by_id={p.id: i for i, p in enumerate(ordered)},
            indexes=indexes,
            lats=lats,
            lons=lons,
            _texts=[None] * len(ordered),
            hours=HoursBook(p.opening_hours for p in ordered),
        )

    def index_for(self, key: IndexKey, rule: FacilityRule | None = None) -> PointIndex | None:
        """The shortlist of one (category, contract status), with only the providers the
        facility rule admits (all, without one); None if there are none of that key."""
        index = self.indexes.get(key)
        if index is None or rule is None:
            return index
        narrowed = self._narrowed.get((key, rule))
        if narrowed is None:
            providers = self.providers
            keep = np.fromiter(
                (
                    rule.admits(providers[i].facility_type, providers[i].services)
                    for i in index.items
                ),
                dtype=bool,
                count=len(index),
            )
            if keep.all():
                narrowed = index
            else:
                ids = index.items[keep]
                narrowed = PointIndex(self.lats[ids], self.lons[ids], ids)
            self._narrowed[(key, rule)] = narrowed
        return narrowed

    @classmethod
    def empty(cls) -> Directory:
        return cls.build(0, ())

    def get(self, provider_id: str) -> Provider | None:
        i = self.by_id.get(provider_id)
        return None if i is None else self.providers[i]

    def json_bytes(self, position: int) -> bytes:
        """The provider's JSON (UTF-8), encoded once per data version (on first use)."""
        cached = self._texts[position]
        if cached is None:
            text = json.dumps(provider_json(self.providers[position]), ensure_ascii=False)
            cached = self._texts[position] = text.encode()
        return cached

    def json(self, position: int) -> dict[str, Any]:
        return provider_json(self.providers[position])

    @cached_property
    def folded_names(self) -> tuple[str, ...]:
        return tuple(fold(p.name) for p in self.providers)

    @cached_property
    def folded_cities(self) -> tuple[str, ...]:
        return tuple(fold(p.city) for p in self.providers)

    def in_box(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[int]:
        """Positions of providers inside the lon/lat box (edges included), in order."""
        mask = (
            (self.lons >= min_lon)
            & (self.lons <= max_lon)
            & (self.lats >= min_lat)
            & (self.lats <= max_lat)
        )
        return np.flatnonzero(mask).tolist()


def served(providers: Iterable[Provider]) -> list[Provider]:
    """What is served of these providers: invented example data only for categories that
    no real list holds (issue 11: example data never passes for real)."""
    held = list(providers)
    real = {p.category for p in held if not p.example}
    return [p for p in held if not (p.example and p.category in real)]


def without_examples(providers: Iterable[Provider]) -> list[Provider]:
    """The providers of real lists only (DIRECTORY_EXAMPLE_DATA=off)."""
    return [p for p in providers if not p.example]


def real_only(
    load: Callable[[], tuple[int, list[Provider]]],
) -> Callable[[], tuple[int, list[Provider]]]:
    """`load` with the example providers left out."""

    def load_real() -> tuple[int, list[Provider]]:
        version, providers = load()
        return version, without_examples(providers)

    return load_real


def _share_hours(providers: Iterable[Provider]) -> None:
    """One string object per distinct opening_hours value (lists repeat them: 100k
    providers hold a few hundred), instead of one per row read from the store."""
    shared: dict[str, str] = {}
    for p in providers:
        text = p.opening_hours
        if text:
            same = shared.setdefault(text, text)
            if same is not text:
                object.__setattr__(p, "opening_hours", same)  # the same value, frozen or not


def load_directory(load: Callable[[], tuple[int, list[Provider]]]) -> Directory:
    """Read and index one data version without the garbage collector walking it meanwhile.
    (A serving worker freezes what it holds once its first index is built: web/serving.py.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        version, providers = load()
        return Directory.build(version, providers)
    finally:
        if enabled:
            gc.enable()


class DirectoryHolder:
    """Keeps the current Directory; looks for a new data version at most every `interval` s.

    A new version is built in a background thread while requests go on with the old one;
    a request that notices it waits at most `swap_wait` seconds for the new one. A request
    takes one Directory reference and uses only that: it is never half swapped.
    """

    def __init__(
        self,
        version_of: Callable[[], int],
        load: Callable[[], tuple[int, list[Provider]]],
        *,
        interval: float = 2.0,
        swap_wait: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._version_of = version_of
        self._load = load
        self._interval = interval
        self._swap_wait = swap_wait
        self._clock = clock
        self._current: Directory | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None

    @property
    def loaded(self) -> Directory | None:
        """The directory in memory, without checking the store."""
        return self._current

    def get(self) -> Directory:
        """The current directory; a newer data version in the store is loaded whole."""
        current = self._current
        if current is not None and self._clock() - self._checked < self._interval:
            return current
        with self._lock:
            current = self._current
            if current is not None and self._clock() - self._checked < self._interval:
                return current
            version = self._version_of()
            self._checked = self._clock()
            if current is None:
                self._current = load_directory(self._load)
                return self._current
            if version == current.data_version:
                return current
            if self._building is None:
                self._building = threading.Thread(target=self._rebuild, daemon=True)
                self._building.start()
            building = self._building
        building.join(self._swap_wait)
        return self._current or current

    def _rebuild(self) -> None:
        try:
            directory = load_directory(self._load)
            with self._lock:
                if self._current is None or directory.data_version >= self._current.data_version:
                    self._current = directory
        except Exception:  # the old directory stays served; the next check tries again
            log.exception("could not load the new data version")
        finally:
            with self._lock:
                self._building = None

    def refresh(self) -> Directory:
        """Check the store now."""
        self._checked = float("-inf")
        return self.get()
