"""marshmallow schemas of the GeoJSON answers (web/geojson.py), for the OpenAPI document:
/v1/search and /v1/providers answer application/json or application/geo+json."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from directory_api.web.geojson import MEDIA_TYPE
from directory_api.web.hours_schemas import OpeningSchema
from directory_api.web.schemas import (
    NoticeSchema,
    ProviderSchema,
    ResultSchema,
    SearchQuerySchema,
)


class PointSchema(ma.Schema):
    type = fields.String(required=True, validate=validate.OneOf(("Point",)))
    coordinates = fields.List(
        fields.Float(), required=True, metadata={"description": "[lon, lat] (WGS 84)"}
    )


class _FeatureSchema(ma.Schema):
    type = fields.String(required=True, validate=validate.OneOf(("Feature",)))
    id = fields.String(required=True, metadata={"description": "The provider's id"})
    geometry = fields.Nested(PointSchema, required=True)


class SearchFeatureSchema(_FeatureSchema):
    properties = fields.Nested(
        ResultSchema, required=True, metadata={"description": "The result as the JSON gives it"}
    )


class ProviderFeatureSchema(_FeatureSchema):
    properties = fields.Nested(ProviderSchema, required=True)


class SearchFeatureCollectionSchema(ma.Schema):
    """RFC 7946 FeatureCollection; query, advice, referral, data_version, opening and notice
    (as in the JSON answer): foreign members."""

    type = fields.String(required=True, validate=validate.OneOf(("FeatureCollection",)))
    query = fields.Nested(SearchQuerySchema, required=True)
    advice = fields.List(fields.String(), required=True)
    referral = fields.String(allow_none=True)
    data_version = fields.Integer(required=True)
    opening = fields.Nested(OpeningSchema, required=True)
    features = fields.List(fields.Nested(SearchFeatureSchema), required=True)
    notice = fields.Nested(NoticeSchema, required=True, allow_none=True)


class ProviderFeatureCollectionSchema(ma.Schema):
    """RFC 7946 FeatureCollection; total, page, page_size, data_version: foreign members."""

    type = fields.String(required=True, validate=validate.OneOf(("FeatureCollection",)))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    data_version = fields.Integer(required=True)
    features = fields.List(fields.Nested(ProviderFeatureSchema), required=True)


def geojson_doc(schema: type[ma.Schema], status: int = 200) -> dict[int, Any]:
    """A response's second media type, for @blp.doc(responses=...)."""
    return {status: {"content": {MEDIA_TYPE: {"schema": schema}}}}
