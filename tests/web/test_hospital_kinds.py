"""Hospitals that fit the care, over HTTP (issue 11, point 4): every hospital location says
what kind it is (`facility_type`); childbirth and adult emergency care leave out children's
and categorical hospitals, `age_group=child` brings children's hospitals in for emergency
care, and a list's services column is honoured where it is given."""

from __future__ import annotations

import pytest

from directory_api.errors import ImportRejected
from directory_api.imports.bundled import HOSPITALS_SOURCE, categorical_hospitals, hospital_rows
from directory_api.imports.pipeline import import_file
from directory_api.models import FACILITY_TYPES
from tests.conftest import needs_geodata, real_geodata_dir

AMSTERDAM = {"lat": 52.37, "lon": 4.89}
UTRECHT = {"lat": 52.09, "lon": 5.12}
NOT_FOR_BIRTH = ("Antoni van Leeuwenhoek", "Emma Kinderziekenhuis", "Prinses Máxima")


def search(client, **params):
    response = client.get("/v1/search", query_string={"limit": 100, **params})
    assert response.status_code == 200, response.get_json()
    return [r["provider"] for r in response.get_json()["results"]]


@pytest.fixture
def rivm(services):
    """The bundled RIVM hospital sites, as `directory-api seed` imports them."""
    path = real_geodata_dir() / "eurostat-hospitals-nl" / "NL.csv"
    import_file(services, hospital_rows(path), source_name=HOSPITALS_SOURCE, category="hospital")
    return services


def test_the_categorical_list_cites_a_source_for_every_entry():
    listed = categorical_hospitals()
    assert listed == {"109801": "categorical", "109901": "categorical"}


@needs_geodata
def test_every_rivm_site_says_what_kind_it_is(client, rivm):
    found = search(client, care="hospital", scheme="uninsured_resident", **AMSTERDAM)
    kinds = {p["name"]: p["facility_type"] for p in found}
    assert set(kinds.values()) <= set(FACILITY_TYPES)
    assert kinds["Antoni van Leeuwenhoek"] == "categorical"
    assert kinds["Amsterdam UMC (Emma Kinderziekenhuis)"] == "childrens"
    assert kinds["Amsterdam UMC (AMC)"] == "academic"
    assert kinds["BovenIJ Ziekenhuis"] == "general"
    assert all(p["services"] is None for p in found)  # the RIVM list does not say


@needs_geodata
@pytest.mark.parametrize("age_group", [None, "adult", "child"])
def test_childbirth_near_amsterdam_has_no_childrens_or_categorical_hospital(
    client, rivm, age_group
):
    args = {"age_group": age_group} if age_group else {}
    hospitals = [
        p
        for p in search(client, care="maternity", max_km=60, **AMSTERDAM, **args)
        if p["category"] == "hospital"
    ]
    assert hospitals, "general and academic hospitals are childbirth results"
    assert {p["facility_type"] for p in hospitals} <= {"general", "academic"}
    for name in NOT_FOR_BIRTH:
        assert not any(name in p["name"] for p in hospitals), name
    for care in ("maternity", "emergency"):  # Utrecht: the Prinses Máxima Centrum
        names = [p["name"] for p in search(client, care=care, max_km=10, **UTRECHT, **args)]
        assert not any("Prinses Máxima" in n for n in names)


@needs_geodata
def test_emergency_for_adults_leaves_out_childrens_hospitals(client, rivm):
    for args in ({}, {"age_group": "adult"}):
        found = search(client, care="emergency", max_km=10, **UTRECHT, **args)
        assert found and {p["facility_type"] for p in found} <= {"general", "academic"}


@needs_geodata
def test_emergency_for_a_child_includes_a_childrens_hospital(client, rivm):
    found = search(client, care="emergency", age_group="child", max_km=10, **UTRECHT)
    names = [p["name"] for p in found]
    assert (
        "Universitair Medisch Centrum Utrecht (Universitair Medisch Centrum Utrecht "
        "Wilhelmina Kinderziekenhuis)" in names
    )
    assert "categorical" not in {p["facility_type"] for p in found}
    assert any(p["facility_type"] == "general" for p in found)


SERVICES_CSV = """naam;categorie;soort ziekenhuis;diensten;lat;lon
Ziekenhuis Alleen SEH;ziekenhuis;Algemeen ziekenhuis;SEH;52,10;5,10
Ziekenhuis Beide;ziekenhuis;algemeen;spoedeisende hulp; verloskunde;52,11;5,11
Ziekenhuis Zonder Opgave;ziekenhuis;Academisch ziekenhuis;;52,12;5,12
Ziekenhuis Alleen Bevalling;ziekenhuis;general;Verloskunde;52,13;5,13
Kinderziekenhuis Met Alles;ziekenhuis;Kinderziekenhuis;seh,verloskunde;52,14;5,14
""".replace("spoedeisende hulp; verloskunde", '"spoedeisende hulp; verloskunde"')


@pytest.fixture
def with_services(services):
    import_file(services, SERVICES_CSV.encode(), source_name="Ziekenhuizen met diensten")
    return services


def test_a_services_column_is_read_as_codes(client, with_services):
    found = search(client, care="hospital", scheme="uninsured_resident", **UTRECHT)
    got = {p["name"]: (p["facility_type"], p["services"]) for p in found}
    assert got == {
        "Ziekenhuis Alleen SEH": ("general", "seh"),
        "Ziekenhuis Beide": ("general", "seh,verloskunde"),
        "Ziekenhuis Zonder Opgave": ("academic", None),
        "Ziekenhuis Alleen Bevalling": ("general", "verloskunde"),
        "Kinderziekenhuis Met Alles": ("childrens", "seh,verloskunde"),
    }


def test_childbirth_honours_the_services_column(client, with_services):
    for age_group in ("adult", "child"):
        names = {
            p["name"] for p in search(client, care="maternity", age_group=age_group, **UTRECHT)
        }
        assert "Ziekenhuis Alleen SEH" not in names  # its list says: no verloskunde
        assert "Kinderziekenhuis Met Alles" not in names
        assert {
            "Ziekenhuis Beide",
            "Ziekenhuis Zonder Opgave",
            "Ziekenhuis Alleen Bevalling",
        } <= names


def test_emergency_honours_the_services_column(client, with_services):
    adult = {p["name"] for p in search(client, care="emergency", **UTRECHT)}
    assert adult == {"Ziekenhuis Alleen SEH", "Ziekenhuis Beide", "Ziekenhuis Zonder Opgave"}
    child = {p["name"] for p in search(client, care="emergency", age_group="child", **UTRECHT)}
    assert child == adult | {"Kinderziekenhuis Met Alles"}


@pytest.mark.parametrize(
    ("header", "cell", "reason"),
    [
        ("diensten", "seh, tandarts", "unknown service 'tandarts'"),
        ("services", "=1+1", "looks like a spreadsheet formula"),
        ("facility_type", "ziekenhuis", "unknown facility type 'ziekenhuis'"),
    ],
)
def test_an_unknown_service_or_facility_type_names_its_row(services, header, cell, reason):
    data = f"naam;categorie;{header};lat;lon\nZ;ziekenhuis;{cell};52,1;5,1\n".encode()
    with pytest.raises(ImportRejected) as raised:
        import_file(services, data, source_name="Foute diensten")
    (problem,) = raised.value.problems
    assert (problem.line, problem.column) == (2, header)
    assert reason in problem.reason
