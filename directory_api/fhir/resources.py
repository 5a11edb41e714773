"""Providers and rules as FHIR R4 resources (plain dicts): Location, Organization,
HealthcareService, and the CAK network Organization that contracts point to.

Contract status, the Da Vinci Plan-Net way: a contracted provider's Location and
HealthcareService carry the Plan-Net `network-reference` extension pointing at
Organization/cak-network (an Organization of type `ntwk`). Plan-Net cannot say "not
contracted" apart from "not known", so every Location and HealthcareService also carries
CONTRACT_EXT with the code contracted, not-contracted or unknown.

Organization rule: providers of one source list whose names are the same once a trailing
"(...)" part is removed, when at least two are, are the sites of one organisation of that
name (the RIVM hospital list names sites "Amphia Ziekenhuis
(Amphia Ziekenhuis Oosterhout)"); any other provider is an organisation of its own, under
its full name (so "Apotheek X (example)" keeps its label).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from directory_api.models import Provider
from directory_api.search.rules import CareRule, Eligibility, Rules

CANONICAL = "urn:directory-api:fhir"
CATEGORY_SYSTEM = f"{CANONICAL}:CodeSystem:provider-category"
CARE_SYSTEM = f"{CANONICAL}:CodeSystem:care-type"
SCHEME_SYSTEM = f"{CANONICAL}:CodeSystem:cak-scheme"
BASIS_SYSTEM = f"{CANONICAL}:CodeSystem:reimbursement-basis"
CONTRACT_EXT = f"{CANONICAL}:StructureDefinition:cak-contract-status"
TERMS_EXT = f"{CANONICAL}:StructureDefinition:reimbursement"
SOURCE_SYSTEM = f"{CANONICAL}:NamingSystem:source"
PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
NETWORK_EXT = f"{PLANNET}/StructureDefinition/network-reference"
ORG_TYPE_SYSTEM = f"{PLANNET}/CodeSystem/OrgTypeCS"
DISTANCE_EXT = "http://hl7.org/fhir/StructureDefinition/location-distance"
NETWORK_ID = "cak-network"
NETWORK_REF = {"reference": f"Organization/{NETWORK_ID}", "display": "CAK"}
CONTRACT_CODES = {True: "contracted", False: "not-contracted", None: "unknown"}
_SITE = re.compile(r"\s*\([^()]*\)\s*\Z")


def fhir_code(code: str) -> str:
    """A code as it may stand in a FHIR id: 'mental_health' -> 'mental-health'."""
    return code.replace("_", "-")


def site_base(name: str) -> str | None:
    """'Amphia Ziekenhuis (Oosterhout)' -> 'Amphia Ziekenhuis'; None without a '(...)' end."""
    if not name.endswith(")"):
        return None
    return _SITE.sub("", name) or None


def organisation_id(source: str, name: str) -> str:
    key = f"{source}\x00{name}"
    return "org-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def org_reference(org: tuple[str, str]) -> dict[str, str]:
    """{reference, display} of an (id, name) organisation."""
    return {"reference": f"Organization/{org[0]}", "display": org[1]}


def contract_extensions(provider: Provider) -> list[dict[str, Any]]:
    status = provider.cak_contracted
    found: list[dict[str, Any]] = [{"url": CONTRACT_EXT, "valueCode": CONTRACT_CODES[status]}]
    if status is True:
        found.append({"url": NETWORK_EXT, "valueReference": NETWORK_REF})
    return found


# HL7's code for test data: what invented example providers are tagged with (issue 11:
# example data never passes for real), so a GP system can leave them out.
EXAMPLE_TAG = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
    "code": "HTEST",
    "display": "test health data",
}


def meta(version: int, example: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {"versionId": str(version)}
    if example:
        found["tag"] = [EXAMPLE_TAG]
    return found


def telecom(provider: Provider) -> list[dict[str, Any]]:
    found = []
    for system, value in (
        ("phone", provider.phone),
        ("email", provider.email),
        ("url", provider.website),
    ):
        if value:
            found.append({"system": system, "value": value, "use": "work"})
    return found


def address(provider: Provider) -> dict[str, Any]:
    line = " ".join(x for x in (provider.street, provider.house_number) if x)
    found: dict[str, Any] = {"use": "work", "type": "physical"}
    if line:
        found["line"] = [line]
    if provider.city:
        found["city"] = provider.city
    if provider.postcode:
        found["postalCode"] = provider.postcode
    found["country"] = "NL"
    return found


def location(
    provider: Provider, org: tuple[str, str], version: int, rules: Rules
) -> dict[str, Any]:
    """One provider site as a Location."""
    label = rules.categories[provider.category]
    resource: dict[str, Any] = {
        "resourceType": "Location",
        "id": provider.id,
        "meta": meta(version, provider.example),
        "extension": contract_extensions(provider),
        "status": "active",
        "name": provider.name,
        "mode": "instance",
        "type": [
            {
                "coding": [
                    {"system": CATEGORY_SYSTEM, "code": provider.category, "display": label.en}
                ],
                "text": label.nl,
            }
        ],
        "address": address(provider),
        "position": {"latitude": round(provider.lat, 6), "longitude": round(provider.lon, 6)},
        "managingOrganization": org_reference(org),
    }
    if provider.external_id:
        resource["identifier"] = [
            {"system": f"{SOURCE_SYSTEM}:{provider.source}", "value": provider.external_id}
        ]
    if contacts := telecom(provider):
        resource["telecom"] = contacts
    if provider.opening_hours:
        resource["availabilityExceptions"] = provider.opening_hours
    return resource


def organization(org_id: str, name: str, sites: list[Provider], version: int) -> dict[str, Any]:
    """A provider organisation: its name, and its sites' names as aliases."""
    aliases = sorted({p.name for p in sites} - {name})
    code, display = ("prvgrp", "Provider Group") if len(sites) > 1 else ("fac", "Facility")
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": org_id,
        "meta": meta(version),
        "active": True,
        "type": [{"coding": [{"system": ORG_TYPE_SYSTEM, "code": code, "display": display}]}],
        "name": name,
    }
    if aliases:
        resource["alias"] = aliases
    return resource


def network(version: int) -> dict[str, Any]:
    """The CAK as a Plan-Net network: what network-reference extensions point at."""
    return {
        "resourceType": "Organization",
        "id": NETWORK_ID,
        "meta": meta(version),
        "active": True,
        "type": [{"coding": [{"system": ORG_TYPE_SYSTEM, "code": "ntwk", "display": "Network"}]}],
        "name": "CAK",
        "alias": ["Centraal Administratie Kantoor: contracted providers (CAK-contract)"],
        "telecom": [{"system": "phone", "value": "0800-5028", "use": "work"}],  # seed 000
    }


def service_id(provider: Provider, care: str, scheme: str) -> str:
    return f"{provider.id}-{fhir_code(care)}-{fhir_code(scheme)}"


def healthcare_service(
    provider: Provider,
    org: tuple[str, str],
    rule: CareRule,
    terms: Eligibility,
    rules: Rules,
    version: int,
    lang: str,
) -> dict[str, Any]:
    """One care type at one provider under one scheme, with the terms the rules give it."""
    care = rules.care_types[rule.care]
    scheme = rules.schemes[rule.scheme]
    terms_ext: list[dict[str, Any]] = [{"url": "basis", "valueCode": terms.basis}]
    if terms.share_percent is not None:
        terms_ext.append({"url": "sharePercent", "valueInteger": terms.share_percent})
    if terms.patient_contribution:
        terms_ext.append(
            {"url": "patientContribution", "valueString": terms.patient_contribution.get(lang)}
        )
    terms_ext += [{"url": "condition", "valueString": c.get(lang)} for c in terms.conditions]
    if rule.referral:
        terms_ext.append({"url": "referral", "valueString": rule.referral.get(lang)})
    terms_ext += [{"url": "source", "valueString": s} for s in terms.sources]
    characteristic = [{"coding": [{"system": BASIS_SYSTEM, "code": terms.basis}]}]
    if terms.contract_required:
        characteristic.append({"coding": [{"system": BASIS_SYSTEM, "code": "contract-required"}]})
    resource: dict[str, Any] = {
        "resourceType": "HealthcareService",
        "id": service_id(provider, rule.care, rule.scheme),
        "meta": meta(version, provider.example),
        "extension": [*contract_extensions(provider), {"url": TERMS_EXT, "extension": terms_ext}],
        "active": True,
        "providedBy": org_reference(org),
        "type": [
            {
                "coding": [{"system": CARE_SYSTEM, "code": rule.care, "display": care.label.en}],
                "text": care.label.get(lang),
            }
        ],
        "location": [{"reference": f"Location/{provider.id}", "display": provider.name}],
        "name": f"{care.label.get(lang)}: {provider.name}",
        "characteristic": characteristic,
        "program": [
            {
                "coding": [
                    {"system": SCHEME_SYSTEM, "code": rule.scheme, "display": scheme.label.en}
                ],
                "text": scheme.label.get(lang),
            }
        ],
        "extraDetails": terms_text(rule, terms, lang),
    }
    if contacts := telecom(provider):
        resource["telecom"] = contacts
    return resource


def terms_text(rule: CareRule, terms: Eligibility, lang: str) -> str:
    """The terms as Markdown: share, patient contribution, conditions, referral, advice."""
    en = lang.split("-")[0].lower() == "en"
    lines = [f"- {'Basis' if en else 'Grondslag'}: {terms.basis}"]
    if terms.share_percent is not None:  # no figure of our own when the rules give none
        head = "Share of the unpaid bill" if en else "Deel van de onbetaalde rekening"
        lines.append(f"- {head}: {terms.share_percent}%")
    if terms.patient_contribution:
        head = "Patient pays" if en else "Eigen bijdrage"
        lines.append(f"- {head}: {terms.patient_contribution.get(lang)}")
    lines += [f"- {c.get(lang)}" for c in terms.conditions]
    if rule.referral:
        lines.append(f"- {'Referral' if en else 'Verwijzing'}: {rule.referral.get(lang)}")
    lines += [f"- {a.get(lang)}" for a in rule.advice]
    sources = dict.fromkeys((*terms.sources, *rule.sources))
    lines.append(f"\n{'Sources' if en else 'Bronnen'}: {', '.join(sources)}")
    return "\n".join(lines)


def operation_outcome(code: str, message: str, expression: str | None) -> dict[str, Any]:
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": message}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}
