"""Schemas of the source lists and their admin operations: versions, paged diffs, imports,
removal and rollback (web/views/sources.py, web/views/imports.py)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from directory_api.models import CATEGORIES
from directory_api.versions.diff import PAGE_DEFAULT, PAGE_MAX
from directory_api.web.schemas import ProblemCountsSchema, StrictSchema


class VersionSchema(ma.Schema):
    version = fields.Integer(required=True)
    list_date = fields.Date(allow_none=True, required=True)
    checksum = fields.String(required=True)
    row_count = fields.Integer(required=True)
    imported_at = fields.DateTime(required=True)
    published = fields.Boolean(required=True)


class VersionListSchema(ma.Schema):
    source = fields.String(required=True)
    versions = fields.List(fields.Nested(VersionSchema), required=True)


class DiffArgsSchema(StrictSchema):
    from_version = fields.Integer(data_key="from", validate=validate.Range(min=1))
    to_version = fields.Integer(data_key="to", validate=validate.Range(min=1))
    limit = fields.Integer(
        load_default=PAGE_DEFAULT,
        validate=validate.Range(min=1, max=PAGE_MAX),
        metadata={"description": f"Entries of each kind per page (at most {PAGE_MAX})"},
    )
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "Entries of each kind to skip"},
    )


class ChangeSchema(ma.Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    fields_changed = fields.List(fields.String(), data_key="fields")


class DiffCountsSchema(ma.Schema):
    added = fields.Integer(required=True)
    removed = fields.Integer(required=True)
    changed = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


class DiffSchema(ma.Schema):
    """The counts of a diff and one page of each kind (`limit` entries from `offset`)."""

    source = fields.String(required=True)
    from_version = fields.Integer(allow_none=True, data_key="from", required=True)
    to_version = fields.Integer(allow_none=True, data_key="to", required=True)
    counts = fields.Nested(DiffCountsSchema, required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    added = fields.List(fields.Nested(ChangeSchema), required=True)
    removed = fields.List(fields.Nested(ChangeSchema), required=True)
    changed = fields.List(fields.Nested(ChangeSchema), required=True)
    unchanged = fields.Integer(required=True)


class ImportOptionsSchema(StrictSchema):
    """Options of an import over HTTP, as form fields (with a `file`) or JSON (with `rows`)."""

    name = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={"description": "Display name of the list (default: the current name or slug)"},
    )
    list_date = fields.Date(allow_none=True)
    category = fields.String(allow_none=True, validate=validate.OneOf(CATEGORIES))
    contracted = fields.Boolean(allow_none=True)
    skip_invalid = fields.Boolean(load_default=False)
    dry_run = fields.Boolean(load_default=False)
    rows = fields.List(
        fields.Dict(keys=fields.String()),
        metadata={"description": "JSON rows (same field names as CSV headers)"},
    )


class ProblemSchema(ma.Schema):
    line = fields.Integer(required=True)
    column = fields.String(allow_none=True, required=True)
    reason = fields.String(required=True)


class ImportResultSchema(ma.Schema):
    source = fields.String(required=True)
    version = fields.Integer(allow_none=True, required=True)
    data_version = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True)
    rows = fields.Integer(required=True)
    checksum = fields.String(required=True)
    diff = fields.Nested(DiffSchema, required=True)
    warnings = fields.List(fields.String(), required=True)
    skipped = fields.List(
        fields.Nested(ProblemSchema),
        required=True,
        metadata={"description": "the first problems skipped (problem_counts counts all)"},
    )
    problem_counts = fields.Nested(ProblemCountsSchema, required=True)


class SourceRemovedSchema(ma.Schema):
    source = fields.String(required=True)
    data_version = fields.Integer(required=True)
    versions = fields.Integer(required=True)  # versions kept for the record


class RollbackSchema(StrictSchema):
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class RollbackResultSchema(ma.Schema):
    source = fields.String(required=True)
    version = fields.Integer(required=True)
    data_version = fields.Integer(required=True)
