"""Plain, frozen value objects shared by every layer (no Flask, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Provider categories (issue 2). Order is the display order.
CATEGORIES: tuple[str, ...] = (
    "hospital",
    "pharmacy",
    "mental_health_institution",
    "long_term_care_institution",
    "medical_aids_supplier",
    "dental_pool",
    "friendly_network",
    "support_organisation",
    "gp",
    "midwife",
    "maternity_carer",  # kraamzorg (seed 001: "Alle verloskundigen en kraamverzorgenden")
    "dentist",
    "paramedic",
    "youth_health",
)

# How precisely a location is known, best first.
PRECISIONS: tuple[str, ...] = ("coordinates", "address", "postcode4", "place")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a search starts. `precision` says how exact the point is."""

    lat: float
    lon: float
    resolved_from: str  # "coordinates" | "postcode" | "place"
    precision: str  # "coordinates" | "postcode4" | "place"
    label: str | None = None  # e.g. "3511 Utrecht" or "'s-Hertogenbosch"


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """One validated row of an imported list, before it is stored."""

    name: str
    category: str
    cak_contracted: bool | None
    lat: float
    lon: float
    location_precision: str
    external_id: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None  # normalised: "1234 AB" or "1234"
    city: str | None = None
    phone: str | None = None
    website: str | None = None
    email: str | None = None
    opening_hours: str | None = None
    line: int = 0  # line in the source file (header is line 1)


@dataclass(frozen=True, slots=True)
class Provider:
    """A published provider as served: a row plus its stable id and its list."""

    id: str
    name: str
    category: str
    cak_contracted: bool | None
    lat: float
    lon: float
    location_precision: str
    source: str  # source slug
    source_version: int
    external_id: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    phone: str | None = None
    website: str | None = None
    email: str | None = None
    opening_hours: str | None = None
    source_list_date: date | None = None  # the date of the list it came from


@dataclass(frozen=True, slots=True)
class Reimbursement:
    basis: str
    share_percent: int | None
    patient_contribution: str | None
    conditions: tuple[str, ...] = field(default_factory=tuple)
    restricted_to: tuple[str, ...] = field(default_factory=tuple)  # what alone is paid


@dataclass(frozen=True, slots=True)
class Match:
    provider: Provider
    distance_km: float
    reimbursement: Reimbursement


# Care-type and scheme codes (issue 2); the rules file must define exactly these.
CARE_CODES: tuple[str, ...] = (
    "gp",
    "pharmacy",
    "hospital",
    "emergency",
    "maternity",
    "mental_health",
    "long_term_care",
    "dental",
    "paramedical",
    "medical_aids",
    "youth_health",
    "support",
)
SCHEMES: tuple[str, ...] = ("uninsurable", "uninsured_resident")
LANGUAGES: tuple[str, ...] = ("nl", "en")
# The person's situation, coarse (issue 11): child = under 18. Without one, adult terms apply.
AGE_GROUPS: tuple[str, ...] = ("adult", "child")
