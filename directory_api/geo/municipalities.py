"""The CBS municipalities of 2023 (cbs-gemeenten-2023/gemeenten.json) as places people type:
each name and a point to search from, the municipality's most populous GeoNames place
inside its boundary (else a point inside the boundary itself)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape
from shapely.prepared import prep

Point = tuple[float, float, str]  # (lat, lon, name), as gazetteer.Point

MUNICIPALITIES_FILE = Path("cbs-gemeenten-2023") / "gemeenten.json"
ABROAD = "GM0998"  # CBS's pseudo-municipality "Buitenland" (PROVENANCE.md: drop it)


def municipality_code(value: str) -> int | None:
    """'GM0363' -> 363; GeoNames writes the same code as '363.0'. None if it is neither."""
    text = value.strip().upper().removeprefix("GM")
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def read_municipalities(
    path: Path, towns: Mapping[int, Iterable[tuple[int, Point]]]
) -> dict[str, tuple[int, Point]]:
    """CBS name -> (code, point named by the CBS name). `towns`: GeoNames places per CBS
    code as (population, point); the most populous one inside the boundary is the point."""
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    out: dict[str, tuple[int, Point]] = {}
    for feature in collection.get("features") or ():
        props = feature.get("properties") or {}
        name = str(props.get("gemeentenaam") or "").strip()
        code = municipality_code(str(props.get("gemeentecode") or ""))
        if not name or code is None or props.get("gemeentecode") == ABROAD:
            continue
        area = shape(feature["geometry"])
        inside = prep(area)
        best = sorted(towns.get(code, ()), key=lambda t: -t[0])
        point = next((p for _, p in best if inside.contains(ShapelyPoint(p[1], p[0]))), None)
        if point is None:
            spot = area.representative_point()
            point = (spot.y, spot.x, name)
        out[name] = (code, (point[0], point[1], name))
    return out
