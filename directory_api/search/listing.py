"""Filtering and paging the providers of one directory (no Flask)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from directory_api.search.directory import Directory
from directory_api.text import fold

CONTRACTED = {"true": True, "false": False, "unknown": None}


@dataclass(frozen=True)
class Page:
    total: int
    items: list[int]  # positions in directory.providers


def filter_providers(
    directory: Directory,
    *,
    q: str | None = None,
    category: str | None = None,
    contracted: str | None = None,
    city: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[int]:
    """Positions of providers matching every given filter, in (name, id) order."""
    positions: Iterable[int]
    if bbox is not None:
        positions = directory.in_box(*bbox)
    else:
        positions = range(len(directory.providers))
    needle = fold(q) if q else None
    town = fold(city) if city else None
    status = CONTRACTED[contracted] if contracted is not None else None
    out = []
    for i in positions:
        p = directory.providers[i]
        if category is not None and p.category != category:
            continue
        if contracted is not None and p.cak_contracted is not status:
            continue
        if needle is not None and needle not in directory.folded_names[i]:
            continue
        if town is not None and directory.folded_cities[i] != town:
            continue
        out.append(i)
    return out


def page_of(positions: list[int], page: int, page_size: int) -> Page:
    """One page (from 1) of positions."""
    start = (page - 1) * page_size
    return Page(total=len(positions), items=positions[start : start + page_size])
