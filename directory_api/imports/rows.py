"""Rows to ProviderRows, the reference path: ProviderRowSchema (a marshmallow field per
cell, from models.PROVIDER_FIELDS) loads a row's cells, and RowChecker checks one row at a
time: loads it, places it (coordinates, else the locator), drops duplicates and words every
problem. columns.py is the fast path beside it and must give the same ParsedFile.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, Protocol

from marshmallow import Schema, ValidationError, missing, pre_load, validates_schema

from directory_api.errors import LocationError
from directory_api.geo.gazetteer import Gazetteer
from directory_api.imports.cells import HOURS_NOT_UNDERSTOOD, KINDS, Text
from directory_api.imports.headers import FIELDS, Columns
from directory_api.imports.report import ParsedFile
from directory_api.models import PROVIDER_FIELDS, ProviderField, ProviderRow
from directory_api.versions.identity import identity_key


class RowLocator(Protocol):
    """Anything that can place a row without coordinates (gazetteer.Gazetteer does)."""

    def locate_row(
        self, postcode: str | None, city: str | None
    ) -> tuple[float, float, str] | None: ...


def _cell_field(field: ProviderField) -> Text:
    """The marshmallow field for a provider field's cells. A row must give the fields that
    cannot be None, but for the coordinates (the locator may find them)."""
    if field.required and not field.nullable and field.cell not in ("latitude", "longitude"):
        return KINDS[field.cell](
            required=True, error_messages={"required": f"{field.name} is missing"}
        )
    return KINDS[field.cell]()


class ProviderRowSchema(Schema):
    """One row, canonical field names -> raw text. Defaults apply where the row is blank."""

    class Meta:
        # A field per provider field read from files (models.PROVIDER_FIELDS), in its order.
        include = {f.name: _cell_field(f) for f in PROVIDER_FIELDS if f.headers}

    def __init__(
        self,
        *,
        default_category: str | None = None,
        default_contracted: bool | None = None,
        max_field_chars: int = 10_000,
    ) -> None:
        super().__init__()
        self.default_category = default_category
        self.default_contracted = default_contracted
        self.max_field_chars = max_field_chars

    @pre_load
    def apply_defaults(self, data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        data = dict(data)
        for key, default in (
            ("category", self.default_category),
            ("cak_contracted", self.default_contracted),
        ):
            value = data.get(key)
            if default is not None and (value is None or str(value).strip() in ("", "-")):
                data[key] = default
        return data

    def default(self, name: str) -> Any:
        """What apply_defaults() puts in a blank or missing cell of this field (None: nothing)."""
        return {"category": self.default_category, "cak_contracted": self.default_contracted}.get(
            name
        )

    @cached_property
    def field_items(self) -> dict[str, Any]:
        return dict(self.load_fields.items())

    @validates_schema
    def coordinates_in_pairs(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if data.get("lat") is None and data.get("lon") is not None:
            raise ValidationError("longitude given without latitude", field_name="lat")
        if data.get("lon") is None and data.get("lat") is not None:
            raise ValidationError("latitude given without longitude", field_name="lon")


# --- row checking ---------------------------------------------------------------------


class RowChecker:
    """Validates rows one by one into a ParsedFile, locating them and dropping duplicates."""

    SHOWN_WARNINGS = 20

    def __init__(self, parsed: ParsedFile, locator: RowLocator, schema: ProviderRowSchema):
        self.parsed, self.locator, self.schema = parsed, locator, schema
        self.seen: dict[str, int] = {}
        # Only a locator with the real postcode table (geocode.Gazetteer) can tell that a
        # well-formed postcode does not exist; without one, nothing is claimed.
        self.checks_postcodes = bool(getattr(locator, "available", False))
        self.unknown_postcodes: list[str] = []
        # A Gazetteer places a normalised postcode by its first four characters (its PC4
        # area) alone, so one answer per area and city does for every row.
        self.by_area = type(locator) is Gazetteer
        self.placed: dict[tuple[str | None, str | None], tuple[float, float, str] | None] = {}
        self.unknown_areas: dict[str, bool] = {}

    def load_row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The row's values as ProviderRowSchema.load gives them; may raise."""
        return self.schema.load(raw)  # type: ignore[no-any-return]

    def check(self, line: int, raw: Mapping[str, Any], columns: Columns) -> None:
        """Add the row, or its problems; `columns` names the columns in problems."""
        if self.parsed.full:  # the report's detail is full: count, do not word
            found = self._count_problems(raw, columns)
            if found is not None:
                self._place(line, found, columns)
            return
        try:
            values = self.load_row(raw)
        except ValidationError as exc:
            messages = exc.normalized_messages()
            self._report(line, messages, columns)
            if not _only_hours(messages):
                return
            # Only the hours are wrong: a problem, but the row is kept with its hours
            # unknown, to be imported so if the import skips invalid rows (ParsedFile).
            values = self.load_row({**raw, "opening_hours": ""})
            before = len(self.parsed.rows)
            self._place(line, values, columns)
            if len(self.parsed.rows) > before:
                self.parsed.unknown_hours.add(line)
            return
        self._place(line, values, columns)

    def _place(self, line: int, values: dict[str, Any], columns: Columns) -> None:
        lat, lon, postcode = values["lat"], values["lon"], values["postcode"]
        place = self._locate(line, lat, lon, postcode, values["city"], columns)
        if place is not None:
            lat, lon, precision = place
            values = {k: v for k, v in values.items() if k not in ("lat", "lon")}
            row = ProviderRow(lat=lat, lon=lon, location_precision=precision, line=line, **values)
            self._add(row, columns)

    def _count_problems(self, raw: Mapping[str, Any], columns: Columns) -> dict[str, Any] | None:
        """The row's values as load_row gives them, or None after counting a problem per
        field it rejects (one per field, as _report words them) without wording any."""
        data = self.schema.apply_defaults(raw)
        values, bad = {}, []
        for name, cell in self.schema.field_items.items():
            try:
                values[name] = cell.deserialize(data.get(name, missing), name, data)
            except ValidationError:
                bad.append(name)
        if not bad and (values["lat"] is None) != (values["lon"] is None):
            bad.append("lon" if values["lon"] is None else "lat")
        for name in bad:
            self.parsed.count(columns.column(name))
        return None if bad else values

    def _report(self, line: int, messages: Mapping[str, Any], columns: Columns) -> None:
        for name in [*FIELDS, *(k for k in messages if k not in FIELDS)]:
            found = messages.get(name, [])
            for reason in found if isinstance(found, list) else [found]:
                column = None if name == "_schema" else columns.column(name)
                self.parsed.problem(line, column, str(reason))

    def _locate(
        self,
        line: int,
        lat: float | None,
        lon: float | None,
        postcode: str | None,
        city: str | None,
        columns: Columns,
    ) -> tuple[float, float, str] | None:
        if lat is not None and lon is not None:
            if postcode and self._postcode_unknown(postcode):
                self._warn_unknown(line, postcode, "its coordinates", columns)
            return lat, lon, "coordinates"
        if postcode is None and city is None:
            self.parsed.problem(line, None, "no coordinates, postcode or city")
            return None
        found = self._locate_row(postcode, city)
        if found is None:
            column = columns.column("postcode" if postcode else "city")
            self.parsed.problem(line, column, "no coordinates and postcode/city not found")
        elif postcode and found[2] == "place" and self.checks_postcodes:
            self._warn_unknown(line, postcode, "its city", columns)
        return found

    def _locate_row(
        self, postcode: str | None, city: str | None
    ) -> tuple[float, float, str] | None:
        """locator.locate_row (None if it fails), asked once per PC4 area and city if the
        locator is a Gazetteer."""
        key = (postcode and postcode[:4], city)
        if self.by_area and key in self.placed:
            return self.placed[key]
        try:
            found = self.locator.locate_row(postcode, city)
        except LocationError:
            found = None
        if self.by_area:
            self.placed[key] = found
        return found

    def _postcode_unknown(self, postcode: str) -> bool:
        if not self.checks_postcodes:
            return False
        if not self.by_area:
            return self._locate_row(postcode, None) is None
        unknown = self.unknown_areas.get(postcode[:4])
        if unknown is None:
            unknown = self.unknown_areas[postcode[:4]] = self._locate_row(postcode, None) is None
        return unknown

    def _warn_unknown(self, line: int, postcode: str, placed_by: str, columns: Columns) -> None:
        """A postcode the table does not know is probably a typo: import, but say so."""
        self.unknown_postcodes.append(
            f"line {line}, column {columns.column('postcode')!r}: postcode {postcode!r} is not "
            f"in the postcode table; placed by {placed_by} (check the postcode)"
        )

    def finish(self) -> None:
        """Add the gathered warnings to the ParsedFile (a bounded number, then a count)."""
        found = self.unknown_postcodes
        self.parsed.warnings += found[: self.SHOWN_WARNINGS]
        if len(found) > self.SHOWN_WARNINGS:
            self.parsed.warnings.append(
                f"and {len(found) - self.SHOWN_WARNINGS} more rows whose postcode is not "
                "in the postcode table"
            )

    def _add(self, row: ProviderRow, columns: Columns, key: str | None = None) -> None:
        """Keep the row unless it is a duplicate; `key`: its identity_key if known."""
        key = key or identity_key(row)
        if key not in self.seen:
            self.seen[key] = row.line
            self.parsed.rows.append(row)
            self.parsed.keys.append(key)
            return
        by_id = key.startswith("ext:")
        same = "same external id" if by_id else "same name, postcode and house number"
        column = columns.column("external_id" if by_id else "name")
        self.parsed.problem(row.line, column, f"duplicate of line {self.seen[key]} ({same})")


def _only_hours(messages: Mapping[str, Any]) -> bool:
    """Are the row's only problems opening hours that were not understood?"""
    found = messages.get("opening_hours")
    return (
        len(messages) == 1
        and isinstance(found, list)
        and all(str(m).startswith(HOURS_NOT_UNDERSTOOD) for m in found)
    )


def fits_header(parsed: ParsedFile, line: int, values: list[str], columns: Columns) -> bool:
    if any(v.strip() for v in values[columns.width :]):
        parsed.problem(
            line,
            None,
            f"this row has {len(values)} values but the header "
            f"has {columns.width} columns (unquoted {parsed.delimiter!r} in a value?)",
        )
        return False
    other = [d for d in ("\t", ";", ",") if d != parsed.delimiter and d in values[0]]
    if len(values) == 1 and columns.width > 1 and other:
        parsed.problem(
            line,
            None,
            f"this row has 1 value but the header has {columns.width} columns: is it "
            f"separated by {other[0]!r} instead of {parsed.delimiter!r} like the header?",
        )
        return False
    return True
