"""Offline resolution of a search origin (postcode, place or municipality name, coordinates)
from the GeoNames postcode and place tables and the CBS municipalities: the Gazetteer, the
parsers of postcodes and coordinates, and suggestions for a name it does not know."""

from __future__ import annotations

import csv
import functools
import math
import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from rapidfuzz import fuzz, process

from directory_api import errors, models
from directory_api.geo.municipalities import MUNICIPALITIES_FILE, read_municipalities
from directory_api.geo.places import PlaceTables, place_key, read_places

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
# Names GeoNames gives in English, with the Dutch name its alternate names hold (GeoNames
# 2747373 "The Hague": alternate name "Den Haag"). Other places carry their Dutch name.
DUTCH_NAMES: Mapping[str, str] = {"The Hague": "Den Haag"}
SUGGESTIONS = 3  # names an unknown place's message suggests, at most
SUGGESTION_SCORE = 80  # rapidfuzz ratio (0-100) a suggestion needs at least
SUGGESTION_INPUT = 60  # characters of the input compared (a bound on the cost)
DISTRICT_WORDS = 8  # "place, municipality" is looked for in inputs of at most this many words


def label(name: str, lang: str | None) -> str:
    """A place's name in the request's language: Dutch unless `lang` is English."""
    english = (lang or "nl").split("-")[0].lower() == "en"
    return name if english else DUTCH_NAMES.get(name, name)


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


def _postal_places(rows: Mapping[str, list[Point]]) -> dict[str, Point]:
    """Woonplaats names of the postcode table -> mean of their PC4 points (a fallback)."""
    by_name: dict[str, list[Point]] = defaultdict(list)
    for points in rows.values():
        for point in points:
            by_name[point[2]].append(point)
    return {place_key(name): _mean(points) for name, points in by_name.items() if _coherent(points)}


class Gazetteer:
    """Offline PC4, place-name and municipality tables answering where a search starts."""

    def __init__(
        self,
        postcodes: Mapping[str, Point],
        places: Mapping[str, Point],
        *,
        within: Mapping[tuple[str, int], Point] | None = None,
        codes: Mapping[str, int] | None = None,
        names: Mapping[str, int] | None = None,
    ) -> None:
        self._postcodes = dict(postcodes)
        self._places = dict(places)
        self._within = dict(within or {})  # (name key, CBS code) -> the place there
        self._codes = dict(codes or {})  # a municipality's or its main place's name key -> code
        self.available = bool(self._postcodes) and bool(self._places)
        # The names an unknown place is compared with, made once: primary names (not every
        # spelling variant), the most populous first among equally close ones.
        known = dict(names) if names is not None else {p[2]: 0 for p in self._places.values()}
        ranked = [name for name, _ in sorted(known.items(), key=lambda n: (-n[1], n[0]))]
        ranked += [name for name in ranked if name in DUTCH_NAMES]  # "Den Haag" too
        self._suggestible = ranked
        self._suggestion_keys = [
            place_key(DUTCH_NAMES[name] if i >= len(known) else name)
            for i, name in enumerate(ranked)
        ]

    @classmethod
    def from_dir(cls, geodata_dir: Path | None) -> Gazetteer:
        """Load the GeoNames and CBS tables under `geodata_dir`; missing files give empty
        tables (without the municipality file, municipality names that are no place do
        not resolve)."""
        base = Path(geodata_dir) if geodata_dir else None
        rows = _read_postal(base / POSTAL_FILE) if base and (base / POSTAL_FILE).is_file() else {}
        tables = PlaceTables()
        if base and (base / PLACES_FILE).is_file():
            tables = read_places(base / PLACES_FILE)
        places = tables.best
        if places:
            for key, point in _postal_places(rows).items():
                places.setdefault(key, point)
        if places and base and (base / MUNICIPALITIES_FILE).is_file():
            municipalities = read_municipalities(base / MUNICIPALITIES_FILE, tables.towns)
            for name, (code, point) in municipalities.items():
                key = place_key(name)
                if key not in places:  # a place of that name wins ("Groningen")
                    places[key] = point
                    tables.names.setdefault(name, 0)
                tables.codes[key] = code
        return cls(
            _pc4_table(rows),
            places,
            within=tables.within,
            codes=tables.codes,
            names=tables.names or None,
        )

    @classmethod
    def shared(cls, geodata_dir: Path | None) -> Gazetteer:
        """`from_dir`, loaded once per process while the files are unchanged: the tables are
        read-only, so the apps of one process (tests, a reloaded app) share them. The key is
        the folder and each table's size and modification time."""
        base = Path(geodata_dir).resolve() if geodata_dir else None
        return _load_shared(base, _signature(base))

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

    def place_in(self, name: str, municipality: str) -> Point | None:
        """A place within a municipality ("Osdorp", "Amsterdam"; "Sloten", "Amsterdam"),
        or None."""
        code = self._codes.get(place_key(municipality))
        return None if code is None else self._within.get((place_key(name), code))

    def suggest(self, text: str, lang: str | None = "nl") -> list[str]:
        """The nearest few known names to `text` (rapidfuzz ratio), best first; only ever
        suggested, never used in its stead."""
        key = place_key(text)[:SUGGESTION_INPUT]
        if not key or not self._suggestion_keys:
            return []
        found = process.extract(
            key,
            self._suggestion_keys,
            scorer=fuzz.ratio,
            limit=SUGGESTIONS * 3,
            score_cutoff=SUGGESTION_SCORE,
        )
        found.sort(key=lambda hit: (-hit[1], hit[2]))  # equally close: the larger place
        shown: list[str] = []
        for _, _, i in found:
            name = label(self._suggestible[i], lang)
            if name not in shown:
                shown.append(name)
        return shown[:SUGGESTIONS]

    def resolve(self, text: str, lang: str | None = "nl") -> models.Origin:
        """Turn user input (coordinates, PC4/PC6 postcode, place or municipality name) into
        an Origin; a place's label is in `lang` ("Den Haag", "The Hague")."""
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
        return self._resolve_place(cleaned, lang)

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
        shown = f"{pc4} {name}".strip()
        return models.Origin(lat, lon, resolved_from="postcode", precision="postcode4", label=shown)

    def _resolve_place(self, name: str, lang: str | None) -> models.Origin:
        found = self.place(name)
        shown = label(found[2], lang) if found is not None else None
        if found is None:
            found, shown = self._district(name, lang)
        if found is None or shown is None:
            suggestions = self.suggest(name, lang)
            hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
            raise errors.UnknownPlace(
                f"Unknown place {_quoted(name)}: no town, village or municipality of that "
                f"name in the Netherlands.{hint} Check the spelling, or enter a postcode "
                "instead."
            )
        lat, lon = found[0], found[1]
        return models.Origin(lat, lon, resolved_from="place", precision="place", label=shown)

    def _district(self, name: str, lang: str | None) -> tuple[Point | None, str | None]:
        """A place named together with its municipality, either way round: "Osdorp,
        Amsterdam", "Amsterdam-Osdorp", "Den Haag Scheveningen"."""
        words = place_key(name[: SUGGESTION_INPUT * 2]).split()
        for i in range(1, len(words) if len(words) <= DISTRICT_WORDS else 0):
            first, second = " ".join(words[:i]), " ".join(words[i:])
            for part, town in ((first, second), (second, first)):
                found = self.place_in(part, town)
                city = self.place(town)
                if found is not None and city is not None and found != city:
                    return found, f"{label(found[2], lang)}, {label(city[2], lang)}"
        return None, None

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


def _signature(base: Path | None) -> tuple[tuple[int, int] | None, ...]:
    """(size, mtime) of each table under `base` (None where it is missing)."""
    if base is None:
        return ()
    stats: list[tuple[int, int] | None] = []
    for name in (POSTAL_FILE, PLACES_FILE, MUNICIPALITIES_FILE):
        try:
            st = (base / name).stat()
        except OSError:
            stats.append(None)
        else:
            stats.append((st.st_size, st.st_mtime_ns))
    return tuple(stats)


@functools.lru_cache(maxsize=4)
def _load_shared(base: Path | None, signature: tuple[tuple[int, int] | None, ...]) -> Gazetteer:
    del signature  # part of the cache key only
    return Gazetteer.from_dir(base)
