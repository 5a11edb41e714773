"""marshmallow schemas: *ArgsSchema for query strings, *Schema for output."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from directory_api import models
from directory_api.models import AGE_GROUPS, CARE_CODES, CATEGORIES, LANGUAGES, PRECISIONS, SCHEMES
from directory_api.search import notice
from directory_api.web.hours_schemas import OpenAt, OpeningSchema

FORMATS: tuple[str, ...] = ("json", "geojson")  # ?format=; geojson: web/geojson.py


def format_field() -> fields.Field:
    return fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={
            "description": "geojson: an RFC 7946 FeatureCollection (application/geo+json), "
            "as with Accept: application/geo+json; default json"
        },
    )


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# -- errors ---------------------------------------------------------------------------------


class ProblemCountsSchema(ma.Schema):
    """An import's problems counted: all of them, those shown in detail, and per kind."""

    total = fields.Integer(required=True)
    shown = fields.Integer(required=True, metadata={"description": "problems given in detail"})
    by_kind = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "column as written (or '(row)') -> problems"},
    )
    unchecked_rows = fields.Integer(
        required=True,
        metadata={
            "description": "rows not checked: once the detail was full, a file to be "
            "rejected is not read further (skip_invalid checks every row)"
        },
    )


class ErrorSchema(ma.Schema):
    """Every 4xx/5xx body has this shape."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.Integer(required=True, metadata={"description": "HTTP status code (same)"})
    error = fields.String(metadata={"description": "HTTP status name"})
    message = fields.String(required=True, metadata={"description": "What went wrong"})
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "Per-field messages: field or 'line N' -> list of messages"},
    )
    problems = fields.List(
        fields.Dict(),
        metadata={
            "description": "For rejected imports: the first problems (at most "
            "DIRECTORY_IMPORT_MAX_PROBLEMS, default 1000) as {line, column, reason}"
        },
    )
    problem_counts = fields.Nested(
        ProblemCountsSchema,
        metadata={"description": "For rejected imports: every problem counted"},
    )
    warnings = fields.List(fields.String())  # for rejected imports: the file's warnings


# -- search ---------------------------------------------------------------------------------


class SearchArgsSchema(StrictSchema):
    care = fields.String(
        required=True,
        validate=validate.OneOf(CARE_CODES),
        metadata={"description": "Care type code, see /v1/care-types"},
    )
    near = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "Postcode (3511 AB, 3511AB, 3511), place name or 'lat,lon'",
            "example": "3511 AB",
        },
    )
    lat = fields.Float(validate=validate.Range(-90, 90), metadata={"example": 52.09})
    lon = fields.Float(validate=validate.Range(-180, 180), metadata={"example": 5.12})
    scheme = fields.String(load_default="uninsurable", validate=validate.OneOf(SCHEMES))
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 100))
    max_km = fields.Float(
        validate=validate.Range(min=0, min_inclusive=False, max=1000),
        metadata={"description": "Only places within this many km"},
    )
    lang = fields.String(load_default="nl", validate=validate.OneOf(LANGUAGES))
    as_of = fields.Date(
        metadata={"description": "Answer from the lists as they were on this day (YYYY-MM-DD)"}
    )
    age_group = fields.String(
        validate=validate.OneOf(AGE_GROUPS),
        metadata={"description": "child (under 18) or adult; without it the adult terms apply"},
    )
    format = format_field()

    open_now = fields.Boolean(metadata={"description": "true: only places open now"})
    open_at = OpenAt(metadata=OpenAt.ARGUMENT)

    @validates_schema
    def _one_time(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("open_now") and "open_at" in data:
            raise ma.ValidationError("give open_now or open_at, not both", "open_at")

    @validates_schema
    def _one_origin(self, data: dict[str, Any], **_: Any) -> None:
        has_near = "near" in data
        has_lat, has_lon = "lat" in data, "lon" in data
        if has_near and (has_lat or has_lon):
            raise ma.ValidationError("give either near or lat/lon, not both", "near")
        if has_lat != has_lon:
            missing = "lon" if has_lat else "lat"
            raise ma.ValidationError("lat and lon go together", missing)
        if not has_near and not has_lat:
            raise ma.ValidationError(
                "give near (postcode, place, 'lat,lon') or lat and lon", "near"
            )


class OriginSchema(ma.Schema):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)
    resolved_from = fields.String(
        required=True, validate=validate.OneOf(("coordinates", "postcode", "place"))
    )
    precision = fields.String(required=True, validate=validate.OneOf(PRECISIONS))
    label = fields.String(allow_none=True)


def _provider_field(f: models.ProviderField) -> fields.Field:
    """The output field of a provider field, as models.PROVIDER_FIELDS declares it."""
    kind = {str: fields.String, bool: fields.Boolean, float: fields.Float}[f.type]
    choices = validate.OneOf(f.choices) if f.choices else None
    about = {"description": f.description} if f.description else None
    return kind(required=f.required, allow_none=f.nullable, validate=choices, metadata=about)


class ProviderSchema(ma.Schema):
    class Meta:
        # id, the fields of models.PROVIDER_FIELDS in their order, then the list's
        include = {
            "id": fields.String(required=True),
            **{f.name: _provider_field(f) for f in models.PROVIDER_FIELDS},
            "source": fields.String(
                required=True, metadata={"description": "Slug of the list it came from"}
            ),
            "source_version": fields.Integer(required=True),
            "source_list_date": fields.Date(
                allow_none=True, metadata={"description": "Date of that list (null when not given)"}
            ),
            "example": fields.Boolean(
                required=True,
                metadata={"description": "Invented example data: never use it to refer"},
            ),
        }


class ReimbursementSchema(ma.Schema):
    basis = fields.String(
        required=True,
        metadata={"description": "cak_contract, cak, out_of_hours_route, free, local, none"},
    )
    share_percent = fields.Integer(required=True, allow_none=True)
    patient_contribution = fields.String(required=True, allow_none=True)
    conditions = fields.List(fields.String(), required=True)
    restricted_to = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "What alone is paid; empty when all care of this kind is"},
    )


class ResultSchema(ma.Schema):
    provider = fields.Nested(ProviderSchema, required=True)
    distance_km = fields.Float(required=True, metadata={"description": "Great-circle km"})
    open = fields.Boolean(required=True, allow_none=True, metadata=OpeningSchema.OPEN)
    next_change = fields.String(required=True, allow_none=True, metadata=OpeningSchema.CHANGE)
    reimbursement = fields.Nested(ReimbursementSchema, required=True)


class SearchQuerySchema(ma.Schema):
    care = fields.String(required=True)
    scheme = fields.String(required=True)
    lang = fields.String(required=True)
    limit = fields.Integer(required=True)
    max_km = fields.Float(allow_none=True)
    as_of = fields.Date(allow_none=True)
    age_group = fields.String(allow_none=True, metadata={"description": "null: adult terms"})
    open_now = fields.Boolean(required=True)
    open_at = OpenAt(allow_none=True, required=True)
    origin = fields.Nested(OriginSchema, required=True)


class NoticeSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.OneOf(notice.CODES))
    message = fields.String(required=True, metadata={"description": "Why, and what to do"})


class SearchResultSchema(ma.Schema):
    query = fields.Nested(SearchQuerySchema, required=True)
    opening = fields.Nested(OpeningSchema, required=True)
    advice = fields.List(fields.String(), required=True)
    referral = fields.String(allow_none=True)
    data_version = fields.Integer(required=True)
    results = fields.List(fields.Nested(ResultSchema), required=True)
    notice = fields.Nested(NoticeSchema, required=True, allow_none=True)  # why results is []


# -- providers ------------------------------------------------------------------------------


class ProviderListArgsSchema(StrictSchema):
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Name contains (case- and accent-insensitive)"},
    )
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    contracted = fields.String(validate=validate.OneOf(("true", "false", "unknown")))
    city = fields.String(validate=validate.Length(max=200))
    bbox = fields.String(
        metadata={"description": "min_lon,min_lat,max_lon,max_lat", "example": "4.8,52.3,5.0,52.4"}
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    format = format_field()

    @ma.validates("bbox")
    def _bbox(self, value: str, **_: Any) -> None:
        parse_bbox(value)


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """'min_lon,min_lat,max_lon,max_lat' -> floats, or a ValidationError saying why."""
    try:
        parts = tuple(float(v) for v in value.split(","))
    except ValueError:
        raise ma.ValidationError(
            "bbox takes four numbers: min_lon,min_lat,max_lon,max_lat"
        ) from None
    if len(parts) != 4 or any(p != p for p in parts):
        raise ma.ValidationError("bbox takes four numbers: min_lon,min_lat,max_lon,max_lat")
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ma.ValidationError(
            "bbox must have min <= max, lon within -180..180, lat within -90..90"
        )
    return min_lon, min_lat, max_lon, max_lat


class ProviderPageSchema(ma.Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    data_version = fields.Integer(required=True)
    items = fields.List(fields.Nested(ProviderSchema), required=True)


# -- care types, sources, health ------------------------------------------------------------


class TextSchema(ma.Schema):
    nl = fields.String(required=True)
    en = fields.String(required=True)


class EligibilitySchema(ma.Schema):
    category = fields.String(required=True)
    contract = fields.List(
        fields.String(validate=validate.OneOf(("contracted", "not_contracted", "unknown"))),
        required=True,
    )
    contract_required = fields.Boolean(required=True)
    share_percent = fields.Integer(allow_none=True, required=True)
    basis = fields.String(required=True)
    patient_contribution = fields.Nested(TextSchema, allow_none=True)
    conditions = fields.List(fields.Nested(TextSchema), required=True)
    restricted_to = fields.List(fields.Nested(TextSchema), required=True)
    age_groups = fields.List(fields.String(validate=validate.OneOf(AGE_GROUPS)), required=True)
    sources = fields.List(fields.String(), required=True)


class OutOfHoursRouteSchema(ma.Schema):
    when = fields.String(required=True, metadata={"description": "OSM opening_hours syntax"})
    description = fields.Nested(TextSchema, required=True)
    eligible = fields.List(fields.Nested(EligibilitySchema), required=True)
    sources = fields.List(fields.String(), required=True)


class CareRuleSchema(ma.Schema):
    scheme = fields.String(required=True)
    eligible = fields.List(fields.Nested(EligibilitySchema), required=True)
    advice = fields.List(fields.Nested(TextSchema), required=True)
    referral = fields.Nested(TextSchema, allow_none=True)
    sources = fields.List(fields.String(), required=True)
    out_of_hours = fields.Nested(
        OutOfHoursRouteSchema, allow_none=True, metadata=OpeningSchema.ROUTE
    )


class CareTypeSchema(ma.Schema):
    code = fields.String(required=True)
    label = fields.Nested(TextSchema, required=True)
    description = fields.Nested(TextSchema, required=True)
    rules = fields.List(fields.Nested(CareRuleSchema), required=True)


class SchemeSchema(ma.Schema):
    code = fields.String(required=True)
    label = fields.Nested(TextSchema, required=True)
    description = fields.Nested(TextSchema, required=True)
    sources = fields.List(fields.String(), required=True)


class CareTypeListSchema(ma.Schema):
    rules_version = fields.String(required=True)
    schemes = fields.List(fields.Nested(SchemeSchema), required=True)
    care_types = fields.List(fields.Nested(CareTypeSchema), required=True)


class SourceSchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    version = fields.Integer(allow_none=True, required=True)
    list_date = fields.Date(allow_none=True, required=True)
    checksum = fields.String(allow_none=True, required=True)
    row_count = fields.Integer(required=True)
    imported_at = fields.DateTime(allow_none=True, required=True)
    age_days = fields.Integer(
        allow_none=True, metadata={"description": "Days since the list date (or import)"}
    )
    versions = fields.Integer(required=True)
    example = fields.Boolean(metadata={"description": "Invented example data"})


class SourceListSchema(ma.Schema):
    data_version = fields.Integer(required=True)
    sources = fields.List(fields.Nested(SourceSchema), required=True)


class HealthSchema(ma.Schema):
    status = fields.String(required=True)
    reason = fields.String(metadata={"description": "Why not ready (503 only)"})


# -- versions, diffs, imports ---------------------------------------------------------------
