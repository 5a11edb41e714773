"""Every resource type /fhir returns is valid FHIR (fhir.resources' R4B models read R4), and
carries what a GP system relies on: position, address, contract status, terms."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization

from directory_api.fhir.params import PARAMS
from directory_api.fhir.resources import CONTRACT_EXT, DISTANCE_EXT, NETWORK_EXT, TERMS_EXT
from directory_api.imports.pipeline import import_file
from tests.fhir.conftest import get_ok, load_fhir_directory, outcome

# The FHIR view reads only the in-memory directory: one store is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

MODELS = {
    "Bundle": Bundle,
    "CapabilityStatement": CapabilityStatement,
    "HealthcareService": HealthcareService,
    "Location": Location,
    "OperationOutcome": OperationOutcome,
    "Organization": Organization,
}


def valid(body: dict[str, Any]) -> Any:
    """Validate with fhir.resources (and every entry of a Bundle as its own type)."""
    model = MODELS[body["resourceType"]].model_validate(body)
    for e in body.get("entry", []):
        MODELS[e["resource"]["resourceType"]].model_validate(e["resource"])
    return model


def ext(resource: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [e for e in resource.get("extension", []) if e["url"] == url]


def test_capability_statement_lists_exactly_what_is_served(fhir):
    body = get_ok(fhir, "/fhir/metadata")
    valid(body)
    assert body["fhirVersion"] == "4.0.1"
    assert "application/fhir+json" in body["format"]
    resources = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(resources) == {"Location", "HealthcareService", "Organization"}
    for kind, resource in resources.items():
        assert [i["code"] for i in resource["interaction"]] == ["read", "search-type"]
        listed = {p["name"] for p in resource["searchParam"]}
        served = {p.name for p in PARAMS[kind]} - {"_count", "_offset", "_format"}
        assert listed == served
        for name in listed:  # each listed parameter is known: a value it cannot take is
            response = fhir.get(f"/fhir/{kind}?{name}=%7C%7C%7C")  # a 400 naming it
            if response.status_code != 200:
                issue = outcome(fhir, f"/fhir/{kind}?{name}=%7C%7C%7C", 400)
                assert issue["code"] == "invalid" and issue["expression"] == [name]
        issue = outcome(fhir, f"/fhir/{kind}?not-a-param=1", 400)
        assert issue["code"] == "not-supported" and issue["expression"] == ["not-a-param"]


def test_location_search_and_read_are_valid_and_complete(fhir):
    body = get_ok(fhir, "/fhir/Location?_count=100")
    valid(body)
    assert body["total"] == 12 and len(body["entry"]) == 12
    by_name = {e["resource"]["name"]: e["resource"] for e in body["entry"]}
    dom = by_name["Apotheek Dom"]
    assert dom["position"] == {"latitude": 52.0907, "longitude": 5.1214}
    assert dom["address"]["city"] == "Utrecht" and dom["address"]["line"] == ["Domplein 1"]
    assert {t["system"] for t in dom["telecom"]} == {"phone", "url", "email"}
    assert dom["type"][0]["coding"][0]["code"] == "pharmacy"
    assert ext(dom, CONTRACT_EXT)[0]["valueCode"] == "contracted"
    assert ext(dom, NETWORK_EXT)[0]["valueReference"]["reference"] == "Organization/cak-network"
    for name, code in (("Apotheek Oost", "not-contracted"), ("Apotheek Zuid", "unknown")):
        assert ext(by_name[name], CONTRACT_EXT)[0]["valueCode"] == code
        assert not ext(by_name[name], NETWORK_EXT)
    read = fhir.get(f"/fhir/Location/{dom['id']}")
    assert read.status_code == 200 and read.get_json(force=True) == dom
    assert read.headers["ETag"] == f'W/"{dom["meta"]["versionId"]}"'
    valid(read.get_json(force=True))
    org = get_ok(fhir, "/fhir/" + dom["managingOrganization"]["reference"])
    valid(org)
    assert org["name"] == "Apotheek Dom"


def test_near_bundle_has_location_distance_on_every_entry(fhir):
    body = get_ok(fhir, "/fhir/Location?near=52.09%7C5.12%7C10%7Ckm&type=pharmacy")
    valid(body)
    names = [e["resource"]["name"] for e in body["entry"]]
    # Dom 0.1 km, Oost 1.5 km, Zuid 2.3 km; Noord Amsterdam is ~33 km away, beyond 10 km.
    assert names == ["Apotheek Dom", "Apotheek Oost", "Apotheek Zuid"]
    values = []
    for e in body["entry"]:
        (d,) = ext(e["search"], DISTANCE_EXT)
        assert d["valueDistance"]["code"] == "km"
        values.append(d["valueDistance"]["value"])
    assert values == sorted(values) and values[-1] <= 10


def test_hospital_group_is_one_organization_with_both_sites(fhir):
    body = get_ok(fhir, "/fhir/Organization?name=amphia")
    valid(body)
    assert body["total"] == 1
    org = body["entry"][0]["resource"]
    assert org["name"] == "Amphia Ziekenhuis"
    assert sorted(org["alias"]) == [
        "Amphia Ziekenhuis (Breda Molengracht)",
        "Amphia Ziekenhuis (Oosterhout)",
    ]
    sites = get_ok(fhir, "/fhir/Location?name=amphia")
    refs = {e["resource"]["managingOrganization"]["reference"] for e in sites["entry"]}
    assert refs == {f"Organization/{org['id']}"} and sites["total"] == 2
    # A lone "(...)" is part of the name, not a site: the label stays on the organisation.
    lone = get_ok(fhir, "/fhir/Organization?name=tandarts")["entry"][0]["resource"]
    assert lone["name"] == "Tandarts Centrum (voorbeeld)" and "alias" not in lone
    network = get_ok(fhir, "/fhir/Organization/cak-network")
    valid(network)
    assert network["type"][0]["coding"][0]["code"] == "ntwk"
    assert get_ok(fhir, "/fhir/Organization?_count=100")["total"] == 12  # 11 orgs + network


def test_healthcare_services_follow_the_rules(fhir_app, fhir):
    rules = fhir_app.extensions["directory"].rules
    body = get_ok(fhir, "/fhir/HealthcareService?service-type=pharmacy&scheme=uninsurable")
    valid(body)
    # Pharmacy care is paid to contracted pharmacies only (seed 000): Oost and Zuid are not.
    names = sorted(e["resource"]["location"][0]["display"] for e in body["entry"])
    assert names == ["Apotheek Dom", "Apotheek Noord Amsterdam"]
    service = body["entry"][0]["resource"]
    terms = {e["url"]: e for e in ext(service, TERMS_EXT)[0]["extension"]}
    rule = rules.rule("pharmacy", "uninsurable")
    assert terms["basis"]["valueCode"] == rule.eligible[0].basis
    assert rule.eligible[0].patient_contribution.nl in service["extraDetails"]
    assert service["program"][0]["coding"][0]["code"] == "uninsurable"
    read = get_ok(fhir, f"/fhir/HealthcareService/{service['id']}")
    assert read == service
    english = get_ok(
        fhir, f"/fhir/HealthcareService/{service['id']}", headers={"Accept-Language": "en"}
    )
    assert rule.eligible[0].patient_contribution.en in english["extraDetails"]
    # A share only where the rules give one (never a figure of our own).
    assert "Deel van de onbetaalde rekening" not in service["extraDetails"]
    gp_rule = rules.rule("gp", "uninsurable")
    gp = get_ok(fhir, "/fhir/HealthcareService?service-type=gp&scheme=uninsurable")
    gp_terms = gp["entry"][0]["resource"]
    share = gp_rule.eligible[0].share_percent
    assert f"Deel van de onbetaalde rekening: {share}%" in gp_terms["extraDetails"]
    shares = [e for e in ext(gp_terms, TERMS_EXT)[0]["extension"] if e["url"] == "sharePercent"]
    assert shares == [{"url": "sharePercent", "valueInteger": share}]
    assert all(s in gp_terms["extraDetails"] for s in gp_rule.sources)
    # Maternity: every midwife and hospital is paid 100% (seed 001), contracted or not.
    maternity = get_ok(
        fhir, "/fhir/HealthcareService?service-type=maternity&scheme=uninsurable&_count=100"
    )
    valid(maternity)
    at = {e["resource"]["location"][0]["display"] for e in maternity["entry"]}
    assert {"Verloskundigen Één", "Ziekenhuis West", "Ziekenhuis Noord"} <= at
    assert maternity["total"] == len(maternity["entry"])


def test_every_healthcare_service_page_is_valid(fhir):
    url = "/fhir/HealthcareService?_count=7"
    seen, total = [], None
    while url:
        body = get_ok(fhir, url)
        valid(body)
        total = body["total"]
        seen += [e["resource"]["id"] for e in body["entry"]]
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        url = nxt[0].replace("http://localhost", "") if nxt else ""
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize(
    "url",
    ["/fhir/Location?near=1", "/fhir/Location/unknown", "/fhir/Patient", "/fhir/Location?x=1"],
)
def test_errors_are_valid_operation_outcomes(fhir, url):
    response = fhir.get(url)
    assert response.status_code in (400, 404)
    valid(response.get_json(force=True))


def test_example_data_is_tagged_as_test_data(make_app):
    """Issue 11: invented example providers never pass for real; in FHIR they carry HL7's
    HTEST tag (test health data), real ones no tag."""
    app = make_app()
    services = app.extensions["directory"]
    load_fhir_directory(services)
    made_up = b"naam,categorie,plaats,lat,lon\nApotheek Verzonnen,paramedicus,Utrecht,52.09,5.12\n"
    import_file(services, made_up, source_name="Voorbeeld", example=True)
    client = app.test_client()
    body = get_ok(client, "/fhir/Location?_count=100")
    valid(body)
    tags = {
        e["resource"]["name"]: e["resource"]["meta"].get("tag")
        for e in body["entry"]
        if e["resource"]["resourceType"] == "Location"
    }
    assert tags["Apotheek Verzonnen"] == [
        {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
            "code": "HTEST",
            "display": "test health data",
        }
    ]
    assert tags["Apotheek Dom"] is None
