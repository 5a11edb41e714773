"""A FHIR client library the project did not write (fhirpy) against a live server on
127.0.0.1: capability, near search over several pages, read, chained search, errors."""

from __future__ import annotations

import pytest
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome, ResourceNotFound
from geopy.distance import great_circle

from tests.fhir.conftest import load_fhir_directory
from tests.helpers import LiveServer

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_fhirpy_reads_and_searches_a_live_server(make_app):
    app = make_app()
    load_fhir_directory(app.extensions["directory"])
    with LiveServer(app) as live:
        client = SyncFHIRClient(f"{live.url}/fhir")
        capability = client.execute("metadata", method="get")
        assert capability["fhirVersion"] == "4.0.1"

        # Nearest places from the Dom tower, 2 per page: fhirpy follows the next links.
        found = client.resources("Location").search(near="52.0907|5.1214|300|km").limit(2)
        everything = list(found)
        assert len(everything) == 12
        km = [
            great_circle(
                (52.0907, 5.1214), (p["position"]["latitude"], p["position"]["longitude"])
            ).km
            for p in everything
        ]
        assert km == sorted(km)
        assert everything[0]["name"] == "Apotheek Dom"

        # Read by id, and the managing Organization through the reference.
        dom = client.get("Location", everything[0]["id"])
        assert dom["address"]["city"] == "Utrecht"
        org = client.reference(reference=dom["managingOrganization"]["reference"]).to_resource()
        assert org["name"] == "Apotheek Dom"

        # "Nearest contracted pharmacy": reimbursable pharmacy care, chained near.
        services = (
            client.resources("HealthcareService")
            .search(
                **{
                    "service-type": "pharmacy",
                    "scheme": "uninsurable",
                    "location.near": "52.37|4.89|100|km",
                }
            )
            .limit(1)
            .fetch()
        )
        assert services[0]["location"][0]["display"] == "Apotheek Noord Amsterdam"

        group = client.resources("Organization").search(name="amphia").fetch()
        assert [o["name"] for o in group] == ["Amphia Ziekenhuis"]

        with pytest.raises(ResourceNotFound):
            client.get("Location", "000000000000")
        with pytest.raises(OperationOutcome) as bad:
            client.resources("Location").search(nmae="Dom").fetch()
        assert "nmae" in str(bad.value)
