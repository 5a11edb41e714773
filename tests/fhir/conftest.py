"""A small directory for the FHIR tests: a hospital group with sites, pharmacies of every
contract status, a GP, a midwife, a dentist and a support organisation."""

from __future__ import annotations

from typing import Any

import pytest

from directory_api.imports.pipeline import import_file

FHIR_JSON = "application/fhir+json"

HOSPITALS = (
    b"id,naam,categorie,gecontracteerd,straat,huisnummer,postcode,plaats,telefoon,lat,lon\n"
    b"h1,Amphia Ziekenhuis (Breda Molengracht),ziekenhuis,ja,Molengracht,21,4818 CK,Breda,"
    b"076 595 5000,51.5873,4.7920\n"
    b"h2,Amphia Ziekenhuis (Oosterhout),ziekenhuis,ja,Warandelaan,2,4904 PC,Oosterhout,,"
    b"51.6455,4.8500\n"
    b"h3,Ziekenhuis Noord,ziekenhuis,,Heidelberglaan,100,3584 CX,Utrecht,,52.087,5.179\n"
    b"h4,Ziekenhuis West,ziekenhuis,nee,,,1066 CX,Amsterdam,,52.35,4.83\n"
)

OTHERS = (
    "naam,categorie,gecontracteerd,straat,huisnummer,postcode,plaats,telefoon,website,e-mail,"
    "openingstijden,lat,lon\n"
    "Apotheek Dom,apotheek,ja,Domplein,1,3512 JE,Utrecht,030 123 4567,https://dom.example,"
    "dom@example.org,ma-vr 8-18,52.0907,5.1214\n"
    "Apotheek Oost,apotheek,nee,Oosterstraat,2,3581 AB,Utrecht,,,,,52.0850,5.1400\n"
    "Apotheek Zuid,apotheek,,,,3526 KV,Utrecht,,,,,52.0700,5.1100\n"
    "Apotheek Noord Amsterdam,apotheek,ja,,,1021 AB,Amsterdam,,,,,52.3900,4.9000\n"
    "Huisartsenpraktijk Dom,huisarts,,,,3512 JE,Utrecht,+31 30 765 4321,,,,52.0910,5.1220\n"
    "Verloskundigen Één,verloskundige,,,,3511 AB,Utrecht,,,,,52.0930,5.1100\n"
    "Tandarts Centrum (voorbeeld),tandarts,,,,3511 AB,Utrecht,,,,,52.0920,5.1150\n"
    "Steunpunt Utrecht,steunorganisatie,,,,3511 AB,Utrecht,,,,,52.0950,5.1180\n"
).encode()


def load_fhir_directory(services: Any) -> None:
    import_file(services, HOSPITALS, source_name="Ziekenhuizen")
    import_file(services, OTHERS, source_name="Diverse lijsten")


@pytest.fixture
def fhir_app(make_app):
    app = make_app()
    load_fhir_directory(app.extensions["directory"])
    return app


@pytest.fixture
def fhir(fhir_app):
    return fhir_app.test_client()


def get_ok(client: Any, url: str, **kw: Any) -> dict[str, Any]:
    response = client.get(url, **kw)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == FHIR_JSON
    return response.get_json(force=True)  # type: ignore[no-any-return]


def outcome(client: Any, url: str, status: int) -> dict[str, Any]:
    """An OperationOutcome error with this status; returns its first issue."""
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == FHIR_JSON
    body = response.get_json(force=True)
    assert body["resourceType"] == "OperationOutcome"
    issue = body["issue"][0]
    assert issue["severity"] == "error" and issue["diagnostics"]
    return issue  # type: ignore[no-any-return]
