"""Plain, frozen value objects shared by every layer (no Flask, no SQL)."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date
from typing import ForwardRef, NamedTuple

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

# What kind of hospital location a provider is (issue 11): the RIVM hospital list's
# facility type, and the categorical (specialist) hospitals of data/hospitals/.
FACILITY_TYPES: tuple[str, ...] = (
    "general",
    "academic",
    "childrens",
    "categorical",
    "outpatient_clinic",
)
# Services an imported list may say a location offers: spoedeisende hulp (emergency
# department) and verloskunde (obstetrics, childbirth). Stored as codes, comma-separated.
SERVICES: tuple[str, ...] = ("seh", "verloskunde")

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
class ProviderField:
    """One field of a provider, as lists give it, imports check it and the API serves it."""

    name: str
    type: type  # str, bool or float
    required: bool = False  # always present (else it defaults to None)
    nullable: bool = True  # may be None ("unknown" or "not given")
    headers: tuple[str, ...] = ()  # header names lists use, Dutch and English; () = not read
    max_length: int | None = None  # the longest text the store keeps (its VARCHAR length)
    cell: str = "text"  # how imports reads its cells: the kinds in imports/cells.py
    choices: tuple[str, ...] = ()  # the only values it may have (nothing: any)
    description: str | None = None  # for the API documentation


# The provider's fields, declared once, in the order the API serves them. ProviderRow and
# Provider hold them (required ones first, as named tuples and dataclasses need),
# imports/headers.py takes its header names from here, imports/cells.py its length limits,
# imports/rows.py the fields of ProviderRowSchema, web/schemas.py those of ProviderSchema.
# The table in store/store.py and its migration stay written out (tests/test_models.py
# holds the table to this).
_F = ProviderField
PROVIDER_FIELDS: tuple[ProviderField, ...] = (
    _F("name", str, required=True, nullable=False, headers=("naam", "name"), max_length=300,
       cell="name"),
    _F("category", str, required=True, nullable=False, headers=("categorie", "category"),
       cell="category", choices=CATEGORIES),
    _F("cak_contracted", bool, required=True,
       headers=("gecontracteerd", "cak_contracted", "contracted", "contract"), cell="contracted",
       description="true, false or null (unknown)"),
    _F("external_id", str, headers=("id", "external_id", "extern_id"), max_length=200),
    _F("street", str, headers=("adres", "straat", "street", "address"), max_length=300),
    _F("house_number", str, headers=("huisnummer", "house_number", "housenumber", "nr", "huisnr"),
       max_length=50),
    _F("postcode", str, headers=("postcode", "postal_code", "zip", "zipcode"), max_length=16,
       cell="postcode"),  # normalised: "1234 AB" or "1234"
    _F("city", str, headers=("plaats", "woonplaats", "city", "stad"), max_length=200),
    _F("phone", str, headers=("telefoon", "telefoonnummer", "phone", "tel"), max_length=100,
       cell="phone"),
    _F("website", str, headers=("website", "url", "web"), cell="website"),
    _F("email", str, headers=("e-mail", "email", "mail"), max_length=300, cell="email"),
    _F("opening_hours", str, headers=("openingstijden", "opening_hours"), cell="opening_hours",
       description="OpenStreetMap opening_hours syntax (Europe/Amsterdam; PH = Dutch public "
       "holidays); null when not known"),
    _F("facility_type", str,
       headers=("facility_type", "soort_ziekenhuis", "ziekenhuistype", "type_ziekenhuis",
                "soort_locatie"),
       max_length=32, cell="facility_type", choices=FACILITY_TYPES,
       description="kind of hospital location; null: not known or not a hospital"),
    _F("services", str, headers=("services", "diensten", "zorgaanbod", "voorzieningen"),
       cell="services",
       description="services the list says the location offers, comma-separated codes "
       "(" + ", ".join(SERVICES) + "); null: the list does not say"),
    _F("lat", float, required=True, nullable=False, headers=("lat", "latitude", "breedtegraad"),
       cell="latitude"),
    _F("lon", float, required=True, nullable=False,
       headers=("lon", "lng", "longitude", "lengtegraad"), cell="longitude"),
    _F("location_precision", str, required=True, nullable=False, choices=PRECISIONS),
)  # fmt: skip
del _F


class ProviderRow(NamedTuple):
    """One validated row of an imported list, before it is stored. A named tuple, not a
    dataclass like the others: an import builds 100,000s of them from columns, one
    tuple.__new__ each (imports/columns.py), and stores each as a slice of it
    (store/publish.py); a frozen dataclass took 2.7 times as long to fill, field by field.
    Change one with row._replace(...)."""

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
    facility_type: str | None = None  # one of FACILITY_TYPES
    services: str | None = None  # codes of SERVICES, comma-separated
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
    facility_type: str | None = None
    services: str | None = None
    source_list_date: date | None = None  # the date of the list it came from
    example: bool = False  # from its source: invented example data, never a real list


def _check_holds_the_fields(
    cls: type, first: tuple[str, ...] = (), middle: tuple[str, ...] = (), last: tuple[str, ...] = ()
) -> None:
    """The row types above are written out for mypy; this derives them from PROVIDER_FIELDS
    and checks them, on import: `first`, the required fields, `middle`, the others (default
    None), `last`; each field named, typed and defaulted as declared."""

    def declared(f: ProviderField) -> tuple[str, object, object]:
        return (f.name, f.type.__name__ + " | None" * f.nullable, MISSING if f.required else None)

    held = _held_fields(cls)
    own = {name: (name, kind, default) for name, kind, default in held}
    expected = [
        *(own.get(name) for name in first),
        *(declared(f) for f in PROVIDER_FIELDS if f.required),
        *(own.get(name) for name in middle),
        *(declared(f) for f in PROVIDER_FIELDS if not f.required),
        *(own.get(name) for name in last),
    ]
    if held != expected:
        raise TypeError(f"{cls.__name__} does not hold PROVIDER_FIELDS as models.py declares")


def _held_fields(cls: type) -> list[tuple[str, object, object]]:
    """(name, annotation as written, default or MISSING) of a dataclass's or a named
    tuple's fields."""
    if is_dataclass(cls):
        return [(f.name, f.type, f.default) for f in fields(cls)]
    defaults: dict[str, object] = getattr(cls, "_field_defaults", {})
    annotations = cls.__annotations__
    return [
        (name, _written(annotations[name]), defaults.get(name, MISSING))
        for name in getattr(cls, "_fields", ())
    ]


def _written(annotation: object) -> object:
    """An annotation as written (a named tuple keeps a string one as a ForwardRef)."""
    return annotation.__forward_arg__ if isinstance(annotation, ForwardRef) else annotation


_check_holds_the_fields(ProviderRow, last=("line",))
_check_holds_the_fields(
    Provider, ("id",), ("source", "source_version"), ("source_list_date", "example")
)


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
