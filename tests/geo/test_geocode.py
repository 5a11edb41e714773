"""Offline origin resolution: postcodes, coordinates, place names; online geocoder wrapper."""

from __future__ import annotations

import math
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from geopy.exc import GeocoderTimedOut
from hypothesis import given
from hypothesis import strategies as st

from directory_api import errors
from directory_api.geo import geodata
from directory_api.geo.gazetteer import (
    Gazetteer,
    normalize_postcode,
    parse_coordinates,
    place_key,
)
from directory_api.geo.online import GeopyGeocoder, OnlineGeocoder
from directory_api.models import Origin

INVENTED = Path(__file__).parents[1] / "data" / "geo"
REAL_MIRROR = Path(
    os.environ.get("DIRECTORY_GEODATA_MIRROR")
    or Path(__file__).resolve().parents[3] / "shared" / "data"
)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# --- postcode normalisation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3511ab", "3511 AB"),
        ("3511 AB", "3511 AB"),
        (" 3511  ab ", "3511 AB"),
        ("3511\tAb", "3511 AB"),
        ("3511", "3511"),
        (" 9999 zz", "9999 ZZ"),
        ("1000 AA", "1000 AA"),
        ("Utrecht", None),
        ("", None),
        ("52.09, 5.12", None),
        ("12", None),
        ("3511 AB Utrecht", None),
        ("'s-Hertogenbosch", None),
    ],
)
def test_normalize_postcode(text: str, expected: str | None) -> None:
    assert normalize_postcode(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0123 AB", "never start with 0"),
        ("0123", "never start with 0"),
        ("3511 SA", "SA, SD and SS"),
        ("3511sd", "SA, SD and SS"),
        ("3511 SS", "SA, SD and SS"),
        ("35111", "four digits"),
        ("3511 A1", "four digits"),
        ("3511 A", "four digits"),
        ("3511 ABC", "four digits"),
        ("351", "four digits"),
        ("3511-AB", "four digits"),
    ],
)
def test_malformed_postcode(text: str, reason: str) -> None:
    with pytest.raises(errors.MalformedPostcode, match=reason) as caught:
        normalize_postcode(text)
    assert caught.value.field_name is None
    assert "not a valid Dutch postcode" in caught.value.message


@given(st.one_of(st.text(max_size=12), st.from_regex(r"\s*\d{4}\s*[a-zA-Z]{0,3}\s*")))
def test_normalize_postcode_is_idempotent(text: str) -> None:
    try:
        once = normalize_postcode(text)
    except errors.MalformedPostcode:
        return
    if once is not None:
        assert normalize_postcode(once) == once
        assert len(once) in (4, 7)


# --- coordinates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("52.09,5.12", (52.09, 5.12)),
        ("52.09, 5.12", (52.09, 5.12)),
        ("52.09 5.12", (52.09, 5.12)),
        (" -33.9;18.4 ", (-33.9, 18.4)),
        ("52,09 5,12", (52.09, 5.12)),
        ("52, 5", (52.0, 5.0)),
        ("90,180", (90.0, 180.0)),
        ("Utrecht", None),
        ("3511 AB", None),
        ("3511", None),
        ("52.09", None),
        ("52 5", None),
        ("52.09, 5.12, 7", None),
    ],
)
def test_parse_coordinates(text: str, expected: tuple[float, float] | None) -> None:
    assert parse_coordinates(text) == expected


@pytest.mark.parametrize(
    "text", ["91, 5", "-90.5, 5", "52.1, 180.01", "52.1 -181.0", "5.12, 352.09"]
)
def test_coordinates_out_of_range(text: str) -> None:
    with pytest.raises(errors.MalformedCoordinates, match="out of range"):
        parse_coordinates(text)


@given(
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_coordinates_round_trip(lat: float, lon: float) -> None:
    parsed = parse_coordinates(f"{lat:.6f}, {lon:.6f}")
    assert parsed is not None
    assert parsed == pytest.approx((lat, lon), abs=1e-6)


def test_place_key_ignores_case_accents_and_punctuation() -> None:
    variants = ["'s-Hertogenbosch", "s hertogenbosch", "’S-HERTOGENBOSCH", " 's  Hertogenbosch"]
    assert {place_key(v) for v in variants} == {"s hertogenbosch"}
    assert place_key("Oud-Bèkerveld") == place_key("oud bekerveld")


# --- resolution on invented tables ------------------------------------------------------


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_dir(INVENTED)


def test_from_tables() -> None:
    g = Gazetteer.from_tables(
        {"1234": (52.0, 5.0, "Testdorp")}, {"'s-Voorbeeld": (51.7, 5.3, "'s-Voorbeeld")}
    )
    assert g.available
    assert g.resolve("1234 xy") == Origin(52.0, 5.0, "postcode", "postcode4", "1234 Testdorp")
    assert g.resolve("S VOORBEELD") == Origin(51.7, 5.3, "place", "place", "'s-Voorbeeld")


def test_postcode_is_the_mean_of_its_rows(gazetteer: Gazetteer) -> None:
    origin = gazetteer.resolve("1234 AB")
    assert (origin.lat, origin.lon) == pytest.approx((52.01, 5.01))
    assert (origin.resolved_from, origin.precision, origin.label) == (
        "postcode",
        "postcode4",
        "1234 Testdorp",
    )
    assert gazetteer.resolve("1234") == origin


def test_scattered_postcode_keeps_the_row_near_its_neighbours(gazetteer: Gazetteer) -> None:
    origin = gazetteer.resolve("2346")
    assert (origin.lat, origin.lon) == pytest.approx((51.51, 4.51))
    assert origin.label == "2346 Voorbeeldstad"


@pytest.mark.parametrize("text", ["7001", "7001 AB", "4321 ZZ"])
def test_unknown_postcode(gazetteer: Gazetteer, text: str) -> None:
    with pytest.raises(errors.UnknownPostcode, match=f"Unknown postcode '{text}'"):
        gazetteer.resolve(text)


def test_coordinates_win(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve(" 52.09, 5.12 ") == Origin(52.09, 5.12, "coordinates", "coordinates")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'s-Voorbeeldenbosch", (51.7, 5.3, "'s-Voorbeeldenbosch")),
        ("s voorbeeldenbosch", (51.7, 5.3, "'s-Voorbeeldenbosch")),
        ("Den Voorbeeld", (51.7, 5.3, "'s-Voorbeeldenbosch")),  # larger than the hamlet
        ("DEN VOORBEELD", (51.7, 5.3, "'s-Voorbeeldenbosch")),
        ("Zoetmeer", (51.2, 5.9, "Zoetmeer")),  # the populated one of two
        ("oud bekerveld", (52.3, 4.8, "Oud-Bèkerveld")),
        ("Oud Bakerveld", (52.3, 4.8, "Oud-Bèkerveld")),
        ("Testdorp", (52.01, 5.01, "Testdorp")),
        ("Osterhout", (52.5, 6.1, "Österhout")),  # only in the postcode table
    ],
)
def test_place(gazetteer: Gazetteer, text: str, expected: tuple[float, float, str]) -> None:
    origin = gazetteer.resolve(text)
    assert (origin.lat, origin.lon) == pytest.approx(expected[:2])
    assert (origin.resolved_from, origin.precision, origin.label) == ("place", "place", expected[2])


@pytest.mark.parametrize("text", ["Xyzzyville", "Zoetmee", "Voorbeeld", "Den"])
def test_unknown_place_is_never_guessed(gazetteer: Gazetteer, text: str) -> None:
    with pytest.raises(errors.UnknownPlace, match=f"Unknown place '{text}'"):
        gazetteer.resolve(text)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_input(gazetteer: Gazetteer, text: str) -> None:
    with pytest.raises(errors.UnknownPlace, match="Please enter a postcode"):
        gazetteer.resolve(text)


def test_malformed_input_is_reported_as_such(gazetteer: Gazetteer) -> None:
    with pytest.raises(errors.MalformedPostcode):
        gazetteer.resolve("0123 AB")
    with pytest.raises(errors.MalformedCoordinates):
        gazetteer.resolve("152.1, 5.1")


def test_missing_files_give_an_unavailable_gazetteer(tmp_path: Path) -> None:
    for g in (Gazetteer.from_dir(tmp_path), Gazetteer.from_dir(None)):
        assert not g.available
        assert g.postcode4("1234") is None and g.place("Testdorp") is None
        assert g.resolve("52.1, 5.1").precision == "coordinates"
        with pytest.raises(errors.GeodataError, match="not installed"):
            g.resolve("1234 AB")
        assert g.locate_row("1234 AB", "Testdorp") is None


def test_shared_tables_are_loaded_once_and_again_when_a_file_changes(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "geodata"
    shutil.copytree(INVENTED, folder)
    first = Gazetteer.shared(folder)
    assert Gazetteer.shared(folder) is first  # a second app of this process shares the tables
    assert first.resolve("2345 AB") == Gazetteer.from_dir(folder).resolve("2345 AB")
    postal = folder / "geonames-postal-nl" / "NL.txt"
    rows = postal.read_text(encoding="utf-8").splitlines(keepends=True)
    postal.write_text("".join(r for r in rows if "\t2345\t" not in r), encoding="utf-8")
    again = Gazetteer.shared(folder)
    assert again is not first
    with pytest.raises(errors.UnknownPostcode):
        again.resolve("2345 AB")
    assert first.resolve("2345 AB").precision == "postcode4"  # an earlier app keeps its tables


@pytest.mark.parametrize(
    ("postcode", "city", "expected"),
    [
        ("1234 AB", "Zoetmeer", (52.01, 5.01, "postcode4")),
        ("1234ab", None, (52.01, 5.01, "postcode4")),
        ("7001 AB", "Zoetmeer", (51.2, 5.9, "place")),
        ("0123 AB", "Zoetmeer", (51.2, 5.9, "place")),
        ("not a postcode", "Zoetmeer", (51.2, 5.9, "place")),
        (None, "zoetmeer", (51.2, 5.9, "place")),
        (None, "Xyzzyville", None),
        (None, None, None),
        ("", "", None),
    ],
)
def test_locate_row(
    gazetteer: Gazetteer,
    postcode: str | None,
    city: str | None,
    expected: tuple[float, float, str] | None,
) -> None:
    found = gazetteer.locate_row(postcode, city)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert found[:2] == pytest.approx(expected[:2]) and found[2] == expected[2]


# --- the real GeoNames tables (from the local mirror) -----------------------------------


@pytest.fixture(scope="module")
def real_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not REAL_MIRROR.is_dir():
        pytest.skip(
            f"real geodata mirror not found at {REAL_MIRROR} (set DIRECTORY_GEODATA_MIRROR)"
        )
    dest = tmp_path_factory.mktemp("geodata")
    wanted = [d for d in geodata.DATASETS if d.name.startswith("geonames-")]
    geodata.fetch(dest, mirror=REAL_MIRROR, datasets=wanted)
    return dest


@pytest.fixture(scope="module")
def real(real_dir: Path) -> Gazetteer:
    gazetteer = Gazetteer.from_dir(real_dir)
    assert gazetteer.available
    return gazetteer


UTRECHT = (52.09, 5.12)


def test_real_loads_again_to_the_same_answers(real_dir: Path, real: Gazetteer) -> None:
    # How fast it loads is for `make bench` (app start), not for a timed unit test.
    again = Gazetteer.from_dir(real_dir)
    assert again.available
    assert again.resolve("3511 AB", "nl") == real.resolve("3511 AB", "nl")


@pytest.mark.parametrize("text", ["3511 AB", "3511ab", "3511", "Utrecht", "utrecht", "52.09,5.12"])
def test_real_utrecht(real: Gazetteer, text: str) -> None:
    origin = real.resolve(text)
    assert km((origin.lat, origin.lon), UTRECHT) < 3


def test_real_postcode_label(real: Gazetteer) -> None:
    assert real.resolve("3511 AB").label == "3511 Utrecht"


def test_real_den_bosch(real: Gazetteer) -> None:
    origins = {real.resolve(t) for t in ("Den Bosch", "'s-Hertogenbosch", "s hertogenbosch")}
    origins.add(real.resolve("DEN BOSCH"))
    assert len(origins) == 1
    (origin,) = origins
    assert origin.label == "'s-Hertogenbosch"
    assert km((origin.lat, origin.lon), (51.69, 5.30)) < 3


def test_real_artefact_postcode_follows_its_neighbours(real: Gazetteer) -> None:
    # GeoNames lists 3523 under Utrecht and (wrongly) Ouddorp, 45 km away.
    origin = real.resolve("3523")
    assert km((origin.lat, origin.lon), UTRECHT) < 5


@pytest.mark.parametrize("text", ["1009 ZZ", "1000", "1020 AB"])
def test_real_unknown_postcode(real: Gazetteer, text: str) -> None:
    with pytest.raises(errors.UnknownPostcode):
        real.resolve(text)


def test_real_unknown_place(real: Gazetteer) -> None:
    with pytest.raises(errors.UnknownPlace):
        real.resolve("Xyzzyville")


def test_real_size(real: Gazetteer) -> None:
    assert real.postcode4("1011") is not None and real.postcode4("9999") is not None
    assert real.place("Amsterdam") is not None and real.place("Den Haag") is not None


# --- online geocoder wrapper (fake geopy object; never the network) --------------------


class FakeGeopy:
    """Records queries; answers from a dict of query -> location, None or exception."""

    def __init__(self, answers: dict[str, object]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def geocode(self, query: str, exactly_one: bool = True) -> object:
        self.calls.append(query)
        answer = self.answers.get(query)
        if isinstance(answer, Exception):
            raise answer
        return answer


ADDRESS = ("Meibergdreef", "9", "1105 AZ", "Amsterdam")
QUERY = "Meibergdreef 9, 1105 AZ Amsterdam, Netherlands"


def _online(answers: dict[str, object]) -> tuple[GeopyGeocoder, FakeGeopy]:
    fake = FakeGeopy(answers)
    return GeopyGeocoder(fake, min_delay_seconds=0, error_wait_seconds=0, max_retries=1), fake


def test_online_geocoder_caches() -> None:
    online, fake = _online({QUERY: SimpleNamespace(latitude=52.294, longitude=4.958)})
    geocoder: OnlineGeocoder = online
    assert geocoder.geocode_address(*ADDRESS) == (52.294, 4.958)
    assert geocoder.geocode_address(*ADDRESS) == (52.294, 4.958)
    assert fake.calls == [QUERY]


def test_online_geocoder_caches_misses_and_rejects_points_abroad() -> None:
    online, fake = _online({QUERY: SimpleNamespace(latitude=40.7, longitude=-74.0)})
    assert online.geocode_address(*ADDRESS) is None
    assert online.geocode_address("Nergensstraat", None, None, "Xyzzyville") is None
    assert online.geocode_address("Nergensstraat", None, None, "Xyzzyville") is None
    assert fake.calls == [QUERY, "Nergensstraat, Xyzzyville, Netherlands"]


def test_online_geocoder_needs_a_street() -> None:
    online, fake = _online({})
    assert online.geocode_address(None, "9", "1105 AZ", "Amsterdam") is None
    assert online.geocode_address("  ", None, None, "Amsterdam") is None
    assert fake.calls == []


def test_online_geocoder_errors_are_retried_and_not_cached() -> None:
    online, fake = _online({QUERY: GeocoderTimedOut("slow")})
    assert online.geocode_address(*ADDRESS) is None
    assert fake.calls == [QUERY, QUERY]
    fake.answers[QUERY] = SimpleNamespace(latitude=52.294, longitude=4.958)
    assert online.geocode_address(*ADDRESS) == (52.294, 4.958)


def test_online_geocoder_uses_a_shared_cache() -> None:
    cache: dict[str, tuple[float, float] | None] = {QUERY: (52.0, 4.9)}
    fake = FakeGeopy({})
    online = GeopyGeocoder(fake, min_delay_seconds=0, cache=cache)
    assert online.geocode_address(*ADDRESS) == (52.0, 4.9)
    assert fake.calls == []
