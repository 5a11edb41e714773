"""One published data version held in memory, and the holder that swaps it whole."""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from .geo import PointIndex
from .models import Provider

IndexKey = tuple[str, bool | None]  # (category, cak_contracted)


def fold(text: str | None) -> str:
    """Case- and accent-insensitive form for matching names and cities."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


def provider_json(p: Provider) -> dict[str, Any]:
    """The provider as served; prepared once per data version."""
    data = asdict(p)
    data["lat"] = round(p.lat, 6)
    data["lon"] = round(p.lon, 6)
    return data


@dataclass(frozen=True)
class Directory:
    """Every published provider of one data version, with a spatial index per category."""

    data_version: int
    providers: tuple[Provider, ...]
    by_id: dict[str, int] = field(repr=False)
    indexes: dict[IndexKey, PointIndex] = field(repr=False)
    json: tuple[dict[str, Any], ...] = field(repr=False)
    folded_names: tuple[str, ...] = field(repr=False)
    folded_cities: tuple[str, ...] = field(repr=False)
    everything: PointIndex = field(repr=False)

    @classmethod
    def build(cls, data_version: int, providers: Iterable[Provider]) -> Directory:
        """Index providers, ordered by name then id so that every listing is stable."""
        ordered = tuple(sorted(providers, key=lambda p: (p.name, p.id)))
        groups: dict[IndexKey, list[int]] = {}
        for i, p in enumerate(ordered):
            groups.setdefault((p.category, p.cak_contracted), []).append(i)
        indexes = {
            key: PointIndex([ordered[i].lat for i in ids], [ordered[i].lon for i in ids], ids)
            for key, ids in groups.items()
        }
        return cls(
            data_version=data_version,
            providers=ordered,
            by_id={p.id: i for i, p in enumerate(ordered)},
            indexes=indexes,
            json=tuple(provider_json(p) for p in ordered),
            folded_names=tuple(fold(p.name) for p in ordered),
            folded_cities=tuple(fold(p.city) for p in ordered),
            everything=PointIndex(
                [p.lat for p in ordered], [p.lon for p in ordered], range(len(ordered))
            ),
        )

    @classmethod
    def empty(cls) -> Directory:
        return cls.build(0, ())

    def get(self, provider_id: str) -> Provider | None:
        i = self.by_id.get(provider_id)
        return None if i is None else self.providers[i]


class DirectoryHolder:
    """Keeps the current Directory; looks for a new data version at most every `interval` s.

    A request takes one Directory reference and uses only that: it is never half swapped.
    """

    def __init__(
        self,
        version_of: Callable[[], int],
        load: Callable[[], tuple[int, list[Provider]]],
        *,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._version_of = version_of
        self._load = load
        self._interval = interval
        self._clock = clock
        self._current: Directory | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    @property
    def loaded(self) -> Directory | None:
        """The directory in memory, without checking the store."""
        return self._current

    def get(self) -> Directory:
        """The current directory, reloaded whole if the store has a newer version."""
        current = self._current
        if current is not None and self._clock() - self._checked < self._interval:
            return current
        with self._lock:
            current = self._current
            if current is not None and self._clock() - self._checked < self._interval:
                return current
            version = self._version_of()
            if current is None or version != current.data_version:
                loaded_version, providers = self._load()
                current = Directory.build(loaded_version, providers)
                self._current = current
            self._checked = self._clock()
            return current

    def refresh(self) -> Directory:
        """Check the store now."""
        self._checked = float("-inf")
        return self.get()
