"""The CapabilityStatement, built from the same table the searches are parsed with, and the
loose OpenAPI schemas of what /fhir answers (the resources themselves are FHIR's)."""

from __future__ import annotations

from typing import Any

from marshmallow import INCLUDE, Schema, fields

from directory_api.fhir.params import PARAMS, Param
from directory_api.fhir.resources import CONTRACT_EXT, NETWORK_EXT

FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json"
RELEASED = "2026-12-01"  # when this CapabilityStatement last changed
RESOURCE_DOCS = {
    "Location": "One per provider site. Contract status: the Plan-Net network-reference "
    f"extension ({NETWORK_EXT}) to Organization/cak-network when contracted, and "
    f"{CONTRACT_EXT} (contracted | not-contracted | unknown) always.",
    "HealthcareService": "One per provider, care type and CAK scheme the rules make "
    "reimbursable; the terms in extraDetails, characteristic and the reimbursement extension.",
    "Organization": "One per provider organisation (sites named 'Name (site)' in one list "
    "share one), and Organization/cak-network, the CAK's contract network.",
}


def _search_param(p: Param) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": p.name, "type": p.type, "documentation": p.doc}
    if p.definition:
        entry["definition"] = p.definition
    return entry


def capability_statement(software_version: str) -> dict[str, Any]:
    resources = []
    for kind, params in PARAMS.items():
        searchable = [p for p in params if p.name not in ("_count", "_offset", "_format")]
        resources.append(
            {
                "type": kind,
                "documentation": RESOURCE_DOCS[kind],
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "versioning": "versioned",
                "readHistory": False,
                "searchParam": [_search_param(p) for p in searchable],
            }
        )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASED,
        "publisher": "directory-api",
        "kind": "instance",
        "software": {"name": "directory-api", "version": software_version},
        "implementation": {
            "description": "Where care for people who cannot be insured is reimbursed by the "
            "CAK (read-only; _count, _offset and _format on every search)"
        },
        "fhirVersion": FHIR_VERSION,
        "format": [MEDIA_TYPE, "json"],
        "rest": [{"mode": "server", "resource": resources}],
    }


def openapi_parameters(params: tuple[Param, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.doc,
            "schema": dict(p.schema),
        }
        for p in params
    ]


class _Loose(Schema):
    class Meta:
        unknown = INCLUDE


class ResourceSchema(_Loose):
    resourceType = fields.String(required=True)  # noqa: N815 (FHIR's name)
    id = fields.String()
    meta = fields.Dict()


class FhirBundleSchema(_Loose):
    resourceType = fields.String(required=True, metadata={"enum": ["Bundle"]})  # noqa: N815
    type = fields.String(required=True, metadata={"enum": ["searchset"]})
    total = fields.Integer()
    link = fields.List(fields.Dict(), required=True)
    entry = fields.List(fields.Dict())


class OperationOutcomeSchema(_Loose):
    resourceType = fields.String(required=True, metadata={"enum": ["OperationOutcome"]})  # noqa: N815
    issue = fields.List(fields.Dict(), required=True)
