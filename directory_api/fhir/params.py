"""The FHIR search parameters this server implements, and their strict parsers.

One table (PARAMS) feeds the CapabilityStatement, the OpenAPI document and the parsing, so
the three cannot disagree. A parameter the table does not list, a modifier it does not
allow, a parameter given twice or a malformed value is a FhirError (400 OperationOutcome
naming it): never silently ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from directory_api.geo.distance import HALF_CIRCUMFERENCE_KM

SPEC = "http://hl7.org/fhir/SearchParameter/"
KM_PER_MILE = 1.609344
DEFAULT_NEAR_KM = 50.0  # the server's "near" when no distance is given
DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 10_000
FORMATS = ("json", "application/json", "application/fhir+json")
ID_RE = re.compile(r"[A-Za-z0-9\-.]{1,64}\Z")
NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
NEAR_PATTERN = rf"^{NUMBER}\|{NUMBER}(\|({NUMBER})?(\|(km|mi))?)?$"
NEAR_RE = re.compile(NEAR_PATTERN[:-1] + r"\Z")


class FhirError(Exception):
    """An OperationOutcome answer: status, issue code, text, and the parameter it names."""

    def __init__(
        self, status: int, message: str, *, code: str = "invalid", expression: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.expression = expression


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # FHIR search parameter type
    doc: str
    schema: Mapping[str, Any]  # OpenAPI schema of the value
    definition: str | None = None  # canonical SearchParameter, when it is a standard one
    modifiers: tuple[str, ...] = ()


def _p(name: str, kind: str, doc: str, schema: Mapping[str, Any], **kw: Any) -> Param:
    return Param(name, kind, doc, schema, **kw)


_STR = {"type": "string", "minLength": 1}
_TOKENS = {"type": "string", "pattern": r"^[^,]+(,[^,]+)*$"}
COMMON = (
    _p(
        "_id",
        "token",
        "Logical ids, comma separated (any of them).",
        {"type": "string", "pattern": r"^[A-Za-z0-9\-.]{1,64}(,[A-Za-z0-9\-.]{1,64})*$"},
        definition=SPEC + "Resource-id",
    ),
    _p(
        "_count",
        "number",
        f"Entries per page, 0 to {MAX_COUNT} (default {DEFAULT_COUNT}; 0: the total only).",
        {"type": "integer", "minimum": 0, "maximum": MAX_COUNT},
    ),
    _p(
        "_offset",
        "number",
        f"Entries to skip, 0 to {MAX_OFFSET}: what the Bundle's `next` link uses.",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
    ),
    _p("_format", "special", "json (the only format).", {"type": "string", "enum": list(FORMATS)}),
)
NAME_MODIFIERS = ("exact", "contains")
PARAMS: dict[str, tuple[Param, ...]] = {
    "Location": (
        _p(
            "near",
            "special",
            "lat|lon|distance|units (units km or mi, default km; distance default "
            f"{DEFAULT_NEAR_KM:g} km): sorted by great-circle distance, nearest first.",
            {"type": "string", "pattern": NEAR_PATTERN},
            definition=SPEC + "Location-near",
        ),
        _p(
            "name",
            "string",
            "Name starts with (case and accents ignored); :contains, :exact.",
            _STR,
            definition=SPEC + "Location-name",
            modifiers=NAME_MODIFIERS,
        ),
        _p(
            "address-city",
            "string",
            "City starts with (case and accents ignored); :contains, :exact.",
            _STR,
            definition=SPEC + "Location-address-city",
            modifiers=NAME_MODIFIERS,
        ),
        _p(
            "type",
            "token",
            "Provider category codes, comma separated (any of them).",
            _TOKENS,
            definition=SPEC + "Location-type",
        ),
        *COMMON,
    ),
    "HealthcareService": (
        _p(
            "service-type",
            "token",
            "Care type codes (as /v1/care-types), comma separated (any of them).",
            _TOKENS,
            definition=SPEC + "HealthcareService-service-type",
        ),
        _p(
            "scheme",
            "token",
            "CAK scheme codes (HealthcareService.program), comma separated.",
            _TOKENS,
        ),
        _p(
            "location",
            "reference",
            "Location/{id} or {id}, comma separated (any of them).",
            _TOKENS,
            definition=SPEC + "HealthcareService-location",
        ),
        _p(
            "location.near",
            "special",
            "Chained Location near (lat|lon|distance|units): sorted by distance.",
            {"type": "string", "pattern": NEAR_PATTERN},
        ),
        *COMMON,
    ),
    "Organization": (
        _p(
            "name",
            "string",
            "Name starts with (case and accents ignored); :contains, :exact.",
            _STR,
            definition=SPEC + "Organization-name",
            modifiers=NAME_MODIFIERS,
        ),
        *COMMON,
    ),
}
READ_PARAMS = (COMMON[-1],)  # a read takes only _format


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    km: float  # the distance asked for, in km
    units: str  # "km" or "mi": the unit distances are reported in

    def distance(self, km: float) -> float:
        return km if self.units == "km" else round(km / KM_PER_MILE, 2)


@dataclass(frozen=True)
class StringMatch:
    modifier: str  # "" (starts with), "exact", "contains"
    value: str  # folded unless exact


def parse_query(
    resource: str, multi: Mapping[str, list[str]], allowed: tuple[Param, ...] | None = None
) -> dict[str, Any]:
    """Validated search values keyed by parameter name (modifier kept in StringMatch)."""
    from directory_api.text import fold

    params = {p.name: p for p in (PARAMS[resource] if allowed is None else allowed)}
    out: dict[str, Any] = {}
    for key, values in multi.items():
        name, _, modifier = key.partition(":")
        param = params.get(name)
        if param is None:
            known = ", ".join(params)
            raise FhirError(
                400,
                f"unknown search parameter {key!r} for {resource}; this server supports: {known}",
                code="not-supported",
                expression=key,
            )
        if modifier and modifier not in param.modifiers:
            raise FhirError(
                400, f"modifier {key!r} is not supported", code="not-supported", expression=key
            )
        if name in out or len(values) != 1:
            raise FhirError(400, f"{name}: give the parameter once", expression=name)
        raw = values[0]
        if not raw:
            raise FhirError(400, f"{name}: empty value", expression=name)
        out[name] = _value(param, modifier, raw, fold)
    return out


def _value(param: Param, modifier: str, raw: str, fold: Any) -> Any:
    name = param.name
    if name in ("near", "location.near"):
        return parse_near(raw, name)
    if name in ("_count", "_offset"):
        limit = MAX_COUNT if name == "_count" else MAX_OFFSET
        if not raw.isdigit() or not raw.isascii() or int(raw) > limit:
            raise FhirError(400, f"{name}: must be a whole number 0 to {limit}", expression=name)
        return int(raw)
    if name == "_format":
        if raw not in FORMATS:
            raise FhirError(
                400, f"_format: only json is supported, not {raw!r}", expression="_format"
            )
        return raw
    if param.type == "string":
        value = raw if modifier == "exact" else fold(raw)
        if not value.strip():
            raise FhirError(400, f"{name}: empty value", expression=name)
        return StringMatch(modifier, value)
    tokens = raw.split(",")
    if any(not t for t in tokens):
        raise FhirError(400, f"{name}: empty item in {raw!r}", expression=name)
    if name == "_id" and not all(ID_RE.match(t) for t in tokens):
        raise FhirError(400, f"_id: not a FHIR id in {raw!r}", expression="_id")
    return tuple(tokens)


def parse_near(raw: str, name: str = "near") -> Near:
    """'52.09|5.12|10|km' -> Near; distance and units optional (default 50 km)."""
    if not raw.isascii() or not NEAR_RE.match(raw):
        raise FhirError(
            400, f"{name}: expected latitude|longitude|distance|units, not {raw!r}", expression=name
        )
    parts = raw.split("|") + ["", ""]
    lat, lon = float(parts[0]), float(parts[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise FhirError(400, f"{name}: latitude or longitude out of range", expression=name)
    units = parts[3] or "km"
    dist = DEFAULT_NEAR_KM if not parts[2] else float(parts[2])
    km = dist * KM_PER_MILE if parts[2] and units == "mi" else dist
    if not (math.isfinite(km) and 0 < km <= HALF_CIRCUMFERENCE_KM):
        raise FhirError(
            400,
            f"{name}: distance must be above 0 and at most {HALF_CIRCUMFERENCE_KM:.0f} km",
            expression=name,
        )
    return Near(lat, lon, km, units)


def token_codes(tokens: tuple[str, ...], system: str, known: tuple[str, ...], name: str) -> set:
    """Codes of 'code', 'system|code' or '|code' tokens; an unknown code or system is a 400."""
    codes = set()
    for token in tokens:
        sys_part, bar, code = token.rpartition("|")
        if bar and sys_part and sys_part != system:
            raise FhirError(400, f"{name}: unknown system {sys_part!r}", expression=name)
        if code not in known:
            raise FhirError(
                400,
                f"{name}: unknown code {code!r}; use one of: {', '.join(known)}",
                expression=name,
            )
        codes.add(code)
    return codes
