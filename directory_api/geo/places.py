"""The GeoNames populated places (geonames-places-nl) read into the gazetteer's name tables:
every spelling variant of a name, each place under its CBS municipality, the main place of
each municipality, and the lookup key that makes spellings alike."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from directory_api.geo.municipalities import Point, municipality_code


def place_key(name: str) -> str:
    """Lookup key for a place name: case-, accent-, hyphen- and apostrophe-insensitive."""
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", name).casefold() if not unicodedata.combining(ch)
    )
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


@dataclass
class PlaceTables:
    """What the GeoNames places file gives the gazetteer."""

    best: dict[str, Point] = field(default_factory=dict)  # name key -> the largest place
    towns: dict[int, list[tuple[int, Point]]] = field(default_factory=dict)  # CBS code ->
    within: dict[tuple[str, int], Point] = field(default_factory=dict)  # (key, CBS code) ->
    codes: dict[str, int] = field(default_factory=dict)  # main place's name key -> CBS code
    names: dict[str, int] = field(default_factory=dict)  # primary name -> population


def read_places(path: Path) -> PlaceTables:
    """Name key -> point; every name variant counts, the largest population wins. Also each
    place under its municipality (CBS code), for "Osdorp, Amsterdam" and the municipalities."""
    tables = PlaceTables()
    best: dict[str, tuple[tuple[int, int], Point, int | None]] = {}
    within: dict[tuple[str, int], tuple[int, Point]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                point = (float(row["latitude"]), float(row["longitude"]), row["name"])
                population = int(float(row["population"] or 0))
            except (KeyError, ValueError):
                continue
            code = municipality_code(row.get("admin2code") or "")
            if code is not None:
                tables.towns.setdefault(code, []).append((population, point))
            name = row["name"]
            tables.names[name] = max(population, tables.names.get(name, 0))
            primary = {name, row["asciiname"]}
            for variant in primary | set((row["alternatenames"] or "").split(",")):
                key, rank = place_key(variant), (population, variant in primary)
                if key and (key not in best or rank > best[key][0]):
                    best[key] = (rank, point, code)
                if key and code is not None and population >= within.get((key, code), (-1,))[0]:
                    within[(key, code)] = (population, point)
    tables.best = {key: point for key, (_, point, _) in best.items()}
    # A municipality's main place (its most populous) names it too: "Den Haag, ..."
    main = {code: max(towns, key=lambda t: t[0])[1] for code, towns in tables.towns.items()}
    tables.codes = {
        key: code
        for key, (_, point, code) in best.items()
        if code is not None and point is main[code]
    }
    tables.within = {key: point for key, (_, point) in within.items()}
    return tables
