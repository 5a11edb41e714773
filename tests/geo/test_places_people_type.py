"""Places people type (issue 11, point 8): municipality names, districts within their
municipality, suggestions for an unknown name (never used in its stead), and the origin's
label in the request's language."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from directory_api import errors
from directory_api.geo import geodata
from directory_api.geo.gazetteer import Gazetteer
from directory_api.geo.municipalities import municipality_code
from tests.geo.test_geocode import INVENTED, REAL_MIRROR, km


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_dir(INVENTED)


def test_municipality_codes() -> None:
    assert municipality_code("GM0363") == 363
    assert municipality_code("363.0") == 363
    assert municipality_code("") is None and municipality_code("GMxx") is None


def test_a_municipality_resolves_to_its_largest_place_inside(gazetteer: Gazetteer) -> None:
    origin = gazetteer.resolve("Súdwest-Voorbeeld")
    assert (origin.lat, origin.lon) == pytest.approx((52.01, 5.01))  # Testdorp, not the hamlet
    assert (origin.resolved_from, origin.precision, origin.label) == (
        "place",
        "place",
        "Súdwest-Voorbeeld",
    )
    assert gazetteer.resolve("sudwest voorbeeld") == origin


def test_a_municipality_without_a_place_resolves_inside_its_boundary(gazetteer: Gazetteer) -> None:
    origin = gazetteer.resolve("Leegwater")
    assert 51.3 < origin.lat < 51.5 and 3.5 < origin.lon < 3.7
    assert origin.label == "Leegwater"


def test_a_place_wins_over_a_municipality_of_its_name(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("Zoetmeer").label == "Zoetmeer"
    assert (gazetteer.resolve("Zoetmeer").lat, gazetteer.resolve("Zoetmeer").lon) == (51.2, 5.9)


def test_the_pseudo_municipality_abroad_is_dropped(gazetteer: Gazetteer) -> None:
    with pytest.raises(errors.UnknownPlace):
        gazetteer.resolve("Buitenland")


@pytest.mark.parametrize(
    "text",
    [
        "Den Voorbeeld, Súdwest-Voorbeeld",
        "Súdwest-Voorbeeld Den Voorbeeld",
        "den voorbeeld sudwest voorbeeld",
    ],
)
def test_a_place_named_with_its_municipality(gazetteer: Gazetteer, text: str) -> None:
    # Alone, "Den Voorbeeld" is the city that also carries that name; with its municipality
    # it is the hamlet there.
    assert gazetteer.resolve("Den Voorbeeld").label == "'s-Voorbeeldenbosch"
    origin = gazetteer.resolve(text)
    assert (origin.lat, origin.lon) == (52.9, 6.1)
    assert origin.label == "Den Voorbeeld, Súdwest-Voorbeeld"


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("Zoetmee", "Zoetmeer"), ("Testdrop", "Testdorp"), ("Leegwatr", "Leegwater")],
)
def test_an_unknown_place_suggests_the_nearest_names(
    gazetteer: Gazetteer, text: str, suggested: str
) -> None:
    with pytest.raises(errors.UnknownPlace, match=f"Unknown place '{text}'") as raised:
        gazetteer.resolve(text)
    assert f"Did you mean: {suggested}" in str(raised.value)
    assert suggested in gazetteer.suggest(text)


def test_nothing_close_suggests_nothing(gazetteer: Gazetteer) -> None:
    with pytest.raises(errors.UnknownPlace) as raised:
        gazetteer.resolve("Xyzzyville")
    assert "Did you mean" not in str(raised.value)
    assert gazetteer.suggest("Xyzzyville") == [] and gazetteer.suggest("") == []


def test_suggestions_cost_little_for_any_input(gazetteer: Gazetteer) -> None:
    started = time.perf_counter()
    for text in ("x" * 10_000, "Zoetmeer " * 500, "ä" * 3000):
        with pytest.raises(errors.UnknownPlace):
            gazetteer.resolve(text)
    assert time.perf_counter() - started < 0.5


def test_the_label_is_in_the_request_language() -> None:
    hague = (52.08, 4.31, "The Hague")
    g = Gazetteer.from_tables(
        {"2511": (52.08, 4.31, "'s-Gravenhage")},
        {"The Hague": hague, "Den Haag": hague, "'s-Gravenhage": hague},
    )
    for text in ("den haag", "The Hague", "'s-Gravenhage"):
        assert g.resolve(text, "nl").label == "Den Haag"
        assert g.resolve(text, "en").label == "The Hague"
    assert g.resolve("den haag").label == "Den Haag"  # Dutch unless asked otherwise
    assert g.suggest("Den Haa", "nl") == ["Den Haag"]
    assert g.suggest("The Hagu", "en") == ["The Hague"]


# --- the real GeoNames and CBS tables (from the local mirror) ---------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    if not REAL_MIRROR.is_dir():
        pytest.skip(f"real geodata mirror not found at {REAL_MIRROR}")
    dest: Path = tmp_path_factory.mktemp("geodata")
    wanted = [d for d in geodata.DATASETS if d.name != "eurostat-hospitals-nl"]
    geodata.fetch(dest, mirror=REAL_MIRROR, datasets=wanted)
    return Gazetteer.from_dir(dest)


@pytest.mark.parametrize(
    ("text", "label", "town"),
    [
        ("Texel", "Texel", (53.05, 4.80)),  # Den Burg
        ("Sittard-Geleen", "Sittard-Geleen", (51.00, 5.87)),  # Sittard
        ("Súdwest-Fryslân", "Súdwest-Fryslân", (53.03, 5.66)),  # Sneek
        ("sudwest fryslan", "Súdwest-Fryslân", (53.03, 5.66)),
    ],
)
def test_real_municipalities(
    real: Gazetteer, text: str, label: str, town: tuple[float, float]
) -> None:
    origin = real.resolve(text)
    assert origin.label == label
    assert km((origin.lat, origin.lon), town) < 2


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Scheveningen", "Scheveningen"),
        ("Osdorp, Amsterdam", "Osdorp, Amsterdam"),
        ("Amsterdam-Osdorp", "Osdorp, Amsterdam"),
        ("Sloten, Amsterdam", "Sloten, Amsterdam"),
        ("IJsselmonde, Rotterdam", "IJsselmonde, Rotterdam"),
    ],
)
def test_real_districts(real: Gazetteer, text: str, label: str) -> None:
    origin = real.resolve(text)
    assert origin.label == label
    assert km((origin.lat, origin.lon), (52.2, 4.6)) < 40  # in the Randstad


def test_real_sloten_alone_is_the_frisian_town(real: Gazetteer) -> None:
    assert km((real.resolve("Sloten").lat, real.resolve("Sloten").lon), (52.90, 5.65)) < 2


def test_real_den_haag_labels(real: Gazetteer) -> None:
    assert real.resolve("den haag", "nl").label == "Den Haag"
    assert real.resolve("den haag", "en").label == "The Hague"


def test_real_suggestions(real: Gazetteer) -> None:
    with pytest.raises(errors.UnknownPlace, match="Did you mean: Amsterdam"):
        real.resolve("Amsterdm")
    assert "Den Haag" in real.suggest("Den Hag", "nl")
    started = time.perf_counter()
    for _ in range(20):
        real.suggest("Sudwest Friesland")
    assert (time.perf_counter() - started) / 20 < 0.02
