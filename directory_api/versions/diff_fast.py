"""The fast twin of diff.compare for a new source (nothing before): compare_new and its
lazy `added`, AllAdded. Each equals what compare gives (tests/versions/test_diff_fast.py)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import overload

from directory_api.versions.diff import Change, Diff


class AllAdded(Sequence[Change]):
    """The `added` of a new source's diff: every provider, as Changes in id order, made
    only as far as they are read (an import's report reads the count and the first 50;
    making 100k Changes was a tenth of an import). Equal to the tuple it stands for."""

    __slots__ = ("_ids", "_made", "_names", "_order")

    def __init__(self, ids: Sequence[str], names: Sequence[str]) -> None:
        self._ids, self._names = ids, names
        self._order: list[int] | None = None
        self._made: tuple[Change, ...] | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def _sorted(self) -> list[int]:
        if self._order is None:
            self._order = sorted(range(len(self._ids)), key=self._ids.__getitem__)
        return self._order

    def _changes(self, positions: Sequence[int]) -> list[Change]:
        return _new_changes(
            list(map(self._ids.__getitem__, positions)),
            list(map(self._names.__getitem__, positions)),
        )

    def _all(self) -> tuple[Change, ...]:
        if self._made is None:
            self._made = tuple(self._changes(self._sorted()))
        return self._made

    @overload
    def __getitem__(self, index: int) -> Change: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Change, ...]: ...
    def __getitem__(self, index: int | slice) -> Change | tuple[Change, ...]:
        if self._made is not None:
            return self._made[index]
        if isinstance(index, slice):
            return tuple(self._changes(self._sorted()[index]))
        return self._changes([self._sorted()[index]])[0]

    def __iter__(self) -> Iterator[Change]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AllAdded | tuple | list):
            return self._all() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._all())


def compare_new(
    slug: str, old_v: int | None, new_v: int | None, ids: Sequence[str], names: Sequence[str]
) -> Diff:
    """compare(slug, old_v, new_v, {}, new) for new = {ids[i]: values with names[i]}: every
    provider added (ids must be distinct)."""
    return Diff(slug, old_v, new_v, AllAdded(ids, names), (), (), 0)


def _new_changes(ids: list[str], names: list[str]) -> list[Change]:
    """list(map(Change, ids, names)) without Change.__init__ (a frozen dataclass sets each
    field through object.__setattr__): slots filled a column at a time, as
    imports.columns._new_rows."""
    changes = list(map(object.__new__, repeat(Change, len(ids))))
    for name, column in (("provider_id", ids), ("name", names), ("fields", repeat(()))):
        deque(map(getattr(Change, name).__set__, changes, column), maxlen=0)
    return changes
