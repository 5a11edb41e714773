"""marshmallow schemas of the referral sheet (/v1/referral, /referral) and of the bulk export
(/v1/providers.csv, /v1/providers.geojson)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from directory_api.search.sheet import MAX_CARE_TYPES, MAX_PER_CARE, parse_care_list
from directory_api.web.hours_schemas import OpenAt
from directory_api.web.schemas import (
    NoticeSchema,
    OriginSchema,
    ProviderListArgsSchema,
    ResultSchema,
    SearchArgsSchema,
)


class CareList(fields.String):
    """'pharmacy,hospital,gp' -> ('pharmacy', 'hospital', 'gp'); known codes, each once."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_care_list(text)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from None


class ReferralArgsSchema(SearchArgsSchema):
    """The search's arguments (origin, scheme, lang, age and time), several care types and
    `per_care` places each instead of `limit`."""

    class Meta:
        unknown = ma.RAISE
        exclude = ("limit", "format")

    care = CareList(
        required=True,
        metadata={
            "description": f"Care type codes, comma separated, at most {MAX_CARE_TYPES}, "
            "in the order the sheet shows them (see /v1/care-types)",
            "example": "pharmacy,hospital,gp",
        },
    )
    per_care = fields.Integer(
        load_default=3,
        validate=validate.Range(1, MAX_PER_CARE),
        metadata={"description": "Places per care type"},
    )


class SectionSchema(ma.Schema):
    care = fields.String(required=True)
    results = fields.List(fields.Nested(ResultSchema), required=True)
    advice = fields.List(fields.String(), required=True)
    referral = fields.String(allow_none=True, required=True)
    notice = fields.Nested(
        NoticeSchema, allow_none=True, required=True, metadata={"description": "null unless empty"}
    )


class ReferralQuerySchema(ma.Schema):
    care = fields.List(fields.String(), required=True)
    scheme = fields.String(required=True)
    lang = fields.String(required=True)
    per_care = fields.Integer(required=True)
    max_km = fields.Float(allow_none=True)
    as_of = fields.Date(allow_none=True)
    age_group = fields.String(allow_none=True)
    open_now = fields.Boolean(required=True)
    open_at = OpenAt(allow_none=True, required=True)
    origin = fields.Nested(OriginSchema, required=True)


class ReferralSchema(ma.Schema):
    query = fields.Nested(ReferralQuerySchema, required=True)
    data_version = fields.Integer(required=True)
    sections = fields.List(fields.Nested(SectionSchema), required=True)


class ExportArgsSchema(ProviderListArgsSchema):
    """/v1/providers' filters, without pages: the whole (filtered) directory."""

    class Meta:
        unknown = ma.RAISE
        exclude = ("page", "page_size", "format")
