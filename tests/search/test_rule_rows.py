"""One test per rule row: care type x scheme returns exactly the categories and contract
statuses the rules allow (DOMAIN.md, seeds 000-004), with the right share."""

from __future__ import annotations

import csv
import io

import pytest

from directory_api.imports.pipeline import import_file
from directory_api.models import CATEGORIES

ALL = (True, False, None)
YES = (True,)


def rows(category: str, statuses, share):
    return {(category, s, share) for s in statuses}


# Written out from DOMAIN.md and the issue text, not derived from data/rules/rules.yaml.
UNINSURABLE = {
    "gp": rows("gp", ALL, 80),
    "pharmacy": rows("pharmacy", YES, None),
    "hospital": rows("hospital", YES, 100),
    # Unknown contract status: "full if contracted, 80% if not" (seed 000), so no one share.
    "emergency": rows("hospital", YES, 100)
    | rows("hospital", (False,), 80)
    | rows("hospital", (None,), None),
    "maternity": rows("midwife", ALL, 100)
    | rows("maternity_carer", ALL, 100)
    | rows("gp", ALL, 100)
    | rows("hospital", ALL, 100),
    # The POH-GGZ route (seed 002): GPs on their own terms.
    "mental_health": rows("mental_health_institution", YES, None) | rows("gp", ALL, 80),
    "long_term_care": rows("long_term_care_institution", YES, None),
    "dental": rows("dentist", ALL, 80)
    | rows("dental_pool", ALL, None)
    | rows("friendly_network", ALL, None),
    "paramedical": rows("paramedic", ALL, None),
    "medical_aids": rows("medical_aids_supplier", YES, None),
    "youth_health": rows("youth_health", ALL, None),
    "support": rows("support_organisation", ALL, None),
}
# Onverzekerde verzekeringsplichtigen (seed 003): every provider of the right kind, contracted
# or not; the seeds give no share. Routes the seeds give for undocumented people only (POH-GGZ,
# dental pools, friendly networks) are not copied onto this scheme.
NOT_FOR_UNINSURED_RESIDENTS = {("mental_health", "gp"), ("dental", "dental_pool")} | {
    ("dental", "friendly_network")
}
UNINSURED_RESIDENT = {
    care: {
        (category, s, None)
        for category, _, _ in terms
        for s in ALL
        if (care, category) not in NOT_FOR_UNINSURED_RESIDENTS
    }
    for care, terms in UNINSURABLE.items()
}

CASES = [("uninsurable", c, e) for c, e in UNINSURABLE.items()] + [
    ("uninsured_resident", c, e) for c, e in UNINSURED_RESIDENT.items()
]
STATUS_TEXT = {True: "ja", False: "nee", None: ""}


@pytest.fixture
def every_kind(services):
    """One provider of every category x contract status, all near Utrecht."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["name", "category", "cak_contracted", "lat", "lon"])
    for i, category in enumerate(CATEGORIES):
        for j, status in enumerate(ALL):
            w.writerow(
                [
                    f"{category} {status}",
                    category,
                    STATUS_TEXT[status],
                    f"{52.0 + i * 0.01:.4f}",
                    f"{5.0 + j * 0.01:.4f}",
                ]
            )
    import_file(services, out.getvalue().encode(), source_name="every kind")
    return services


@pytest.mark.parametrize(
    ("scheme", "care", "expected"), CASES, ids=[f"{s}-{c}" for s, c, _ in CASES]
)
def test_rule_row(client, every_kind, scheme, care, expected):
    body = client.get(
        "/v1/search",
        query_string={"care": care, "scheme": scheme, "lat": 52.05, "lon": 5.0, "limit": 100},
    ).get_json()
    got = {
        (
            r["provider"]["category"],
            r["provider"]["cak_contracted"],
            r["reimbursement"]["share_percent"],
        )
        for r in body["results"]
    }
    assert got == expected
