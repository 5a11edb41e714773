"""Offline resolution of a search origin (postcode, place name, coordinates) from the GeoNames
postcode and place tables: the Gazetteer, and the parsers of postcodes and coordinates."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from directory_api import errors, models

Point = tuple[float, float, str]  # (lat, lon, name)

POSTAL_FILE = Path("geonames-postal-nl") / "NL.txt"
PLACES_FILE = Path("geonames-places-nl") / "plaatsen_in_nederland.csv"
UNISSUED_LETTERS = frozenset({"SA", "SD", "SS"})
NL_BOUNDS = (50.6, 53.7, 3.2, 7.3)  # lat min, lat max, lon min, lon max (European NL)
SPREAD_KM = 10.0  # rows of one PC4 further apart than this are a GeoNames artefact

_POSTCODE = re.compile(r"([0-9]{4}) ?([A-Z]{2})?")
_POSTCODE_ATTEMPT = re.compile(r"[0-9]{3,6}[ -]?[A-Z0-9]{0,3}")
_NUM = r"[+-]?\d{1,3}(?:\.\d+)?"
_DEC = r"[+-]?\d{1,3}\.\d+"
_COMMA_DEC = r"[+-]?\d{1,3},\d+"
_COORDINATES = (
    re.compile(rf"({_NUM})\s*[,;]\s*({_NUM})"),
    re.compile(rf"({_DEC})\s+({_DEC})"),
    re.compile(rf"({_COMMA_DEC})\s*[;\s]\s*({_COMMA_DEC})"),
)
_EXAMPLE = "four digits and optionally two letters, like '3511 AB'"


def _quoted(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def normalize_postcode(text: str) -> str | None:
    """Return "1234 AB" or "1234"; None if not postcode-shaped; raise if a bad attempt."""
    cleaned = " ".join(text.split()).upper()
    match = _POSTCODE.fullmatch(cleaned)
    if match is None:
        if _POSTCODE_ATTEMPT.fullmatch(cleaned):
            raise errors.MalformedPostcode(
                f"{_quoted(text.strip())} is not a valid Dutch postcode: use {_EXAMPLE}."
            )
        return None
    digits, letters = match.groups()
    if digits.startswith("0"):
        raise errors.MalformedPostcode(
            f"{_quoted(cleaned)} is not a valid Dutch postcode: postcodes never start with 0."
        )
    if letters in UNISSUED_LETTERS:
        raise errors.MalformedPostcode(
            f"{_quoted(cleaned)} is not a valid Dutch postcode: "
            "the letter pairs SA, SD and SS are not used."
        )
    return f"{digits} {letters}" if letters else digits


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """Parse "lat,lon", "lat, lon" or "lat lon" (also decimal commas); None if not shaped so."""
    cleaned = text.strip()
    for pattern in _COORDINATES:
        match = pattern.fullmatch(cleaned)
        if match:
            lat, lon = (float(part.replace(",", ".")) for part in match.groups())
            break
    else:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise errors.MalformedCoordinates(
            f"Coordinates {_quoted(cleaned)} are out of range: latitude must be between -90 "
            "and 90 and longitude between -180 and 180 (write latitude first, like '52.09, 5.12')."
        )
    return lat, lon


def place_key(name: str) -> str:
    """Lookup key for a place name: case-, accent-, hyphen- and apostrophe-insensitive."""
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", name).casefold() if not unicodedata.combining(ch)
    )
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def in_netherlands(lat: float, lon: float) -> bool:
    return NL_BOUNDS[0] <= lat <= NL_BOUNDS[1] and NL_BOUNDS[2] <= lon <= NL_BOUNDS[3]


def _km(a: tuple[float, float] | Point, b: tuple[float, float] | Point) -> float:
    """Equirectangular distance in km; accurate enough within the Netherlands."""
    dx = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371.0 * math.hypot(math.radians(b[0] - a[0]), dx)


def _mean(rows: list[Point]) -> Point:
    return (
        sum(r[0] for r in rows) / len(rows),
        sum(r[1] for r in rows) / len(rows),
        rows[0][2],
    )


def _coherent(rows: list[Point]) -> bool:
    centre = _mean(rows)
    return all(_km(centre, row) <= SPREAD_KM for row in rows)


def _neighbour_point(pc4: str, good: Mapping[str, Point]) -> tuple[float, float] | None:
    """Median point of the nearest well-behaved PC4s by number (up to 3 on each side)."""
    number = int(pc4)
    near = [good[str(n)] for n in range(number - 3, number + 4) if str(n) in good]
    if not near:
        return None
    lats, lons = sorted(p[0] for p in near), sorted(p[1] for p in near)
    return lats[len(lats) // 2], lons[len(lons) // 2]


def _pc4_table(rows: Mapping[str, list[Point]]) -> dict[str, Point]:
    """PC4 -> mean of its rows; scattered PC4s keep only the rows near their neighbours."""
    good = {pc4: _mean(points) for pc4, points in rows.items() if _coherent(points)}
    table = dict(good)
    for pc4, points in rows.items():
        if pc4 in good:
            continue
        ref = _neighbour_point(pc4, good)
        if ref is None:
            continue  # no way to tell which row is right: treat the PC4 as unknown
        best = min(points, key=lambda p: _km(ref, p))
        table[pc4] = _mean([p for p in points if _km(best, p) <= SPREAD_KM])
    return table


def _read_postal(path: Path) -> dict[str, list[Point]]:
    rows: dict[str, list[Point]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            try:
                rows[row[1]].append((float(row[9]), float(row[10]), row[2]))
            except (IndexError, ValueError):
                continue
    return rows


def _read_places(path: Path) -> dict[str, Point]:
    """Name key -> point; every name variant counts, the largest population wins."""
    best: dict[str, tuple[tuple[int, int], Point]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                point = (float(row["latitude"]), float(row["longitude"]), row["name"])
                population = int(float(row["population"] or 0))
            except (KeyError, ValueError):
                continue
            primary = {row["name"], row["asciiname"]}
            for name in primary | set((row["alternatenames"] or "").split(",")):
                key, rank = place_key(name), (population, name in primary)
                if key and (key not in best or rank > best[key][0]):
                    best[key] = (rank, point)
    return {key: point for key, (_, point) in best.items()}


def _postal_places(rows: Mapping[str, list[Point]]) -> dict[str, Point]:
    """Woonplaats names of the postcode table -> mean of their PC4 points (a fallback)."""
    by_name: dict[str, list[Point]] = defaultdict(list)
    for points in rows.values():
        for point in points:
            by_name[point[2]].append(point)
    return {place_key(name): _mean(points) for name, points in by_name.items() if _coherent(points)}


class Gazetteer:
    """Offline PC4 and place-name tables answering where a search starts."""

    def __init__(self, postcodes: Mapping[str, Point], places: Mapping[str, Point]) -> None:
        self._postcodes = dict(postcodes)
        self._places = dict(places)
        self.available = bool(self._postcodes) and bool(self._places)

    @classmethod
    def from_dir(cls, geodata_dir: Path | None) -> Gazetteer:
        """Load the GeoNames tables under `geodata_dir`; missing files give empty tables."""
        base = Path(geodata_dir) if geodata_dir else None
        rows = _read_postal(base / POSTAL_FILE) if base and (base / POSTAL_FILE).is_file() else {}
        places = _read_places(base / PLACES_FILE) if base and (base / PLACES_FILE).is_file() else {}
        if places:
            for key, point in _postal_places(rows).items():
                places.setdefault(key, point)
        return cls(_pc4_table(rows), places)

    @classmethod
    def from_tables(cls, postcodes: Mapping[str, Point], places: Mapping[str, Point]) -> Gazetteer:
        """Build from small tables: PC4 -> (lat, lon, place), name -> (lat, lon, name)."""
        return cls(postcodes, {place_key(name): point for name, point in places.items()})

    def postcode4(self, pc4: str) -> Point | None:
        """(lat, lon, place name) of a PC4 area, or None."""
        return self._postcodes.get(pc4)

    def place(self, name: str) -> Point | None:
        """(lat, lon, canonical name) of a place by any known spelling, or None."""
        return self._places.get(place_key(name))

    def resolve(self, text: str) -> models.Origin:
        """Turn user input (coordinates, PC4/PC6 postcode or place name) into an Origin."""
        cleaned = " ".join((text or "").split())
        if not cleaned:
            raise errors.UnknownPlace(
                "Please enter a postcode (like '3511 AB'), a place name or coordinates "
                "(like '52.09, 5.12')."
            )
        coordinates = parse_coordinates(cleaned)
        if coordinates is not None:
            return models.Origin(*coordinates, resolved_from="coordinates", precision="coordinates")
        postcode = normalize_postcode(cleaned)
        self._require_tables()
        if postcode is not None:
            return self._resolve_postcode(postcode)
        return self._resolve_place(cleaned)

    def _require_tables(self) -> None:
        if not self.available:
            raise errors.GeodataError(
                "Postcode and place search is unavailable because the offline geodata is not "
                "installed; coordinates (like '52.09, 5.12') still work."
            )

    def _resolve_postcode(self, postcode: str) -> models.Origin:
        pc4 = postcode[:4]
        found = self.postcode4(pc4)
        if found is None:
            raise errors.UnknownPostcode(
                f"Unknown postcode {_quoted(postcode)}: the area {pc4} is not in the postcode "
                "table. Check the postcode, or enter a place name instead."
            )
        lat, lon, name = found
        label = f"{pc4} {name}".strip()
        return models.Origin(lat, lon, resolved_from="postcode", precision="postcode4", label=label)

    def _resolve_place(self, name: str) -> models.Origin:
        found = self.place(name)
        if found is None:
            raise errors.UnknownPlace(
                f"Unknown place {_quoted(name)}: no town or village of that name in the "
                "Netherlands. Check the spelling, or enter a postcode instead."
            )
        lat, lon, canonical = found
        return models.Origin(lat, lon, resolved_from="place", precision="place", label=canonical)

    def locate_row(self, postcode: str | None, city: str | None) -> tuple[float, float, str] | None:
        """(lat, lon, precision) for an imported row: PC4 centroid, else the city, else None."""
        if postcode:
            try:
                normalized = normalize_postcode(postcode)
            except errors.MalformedPostcode:
                normalized = None
            found = self.postcode4(normalized[:4]) if normalized else None
            if found is not None:
                return found[0], found[1], "postcode4"
        found = self.place(city) if city else None
        return (found[0], found[1], "place") if found is not None else None
