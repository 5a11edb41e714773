"""The opening-hours parts of the search schemas (web/schemas.py): the `open_at` argument
and the `opening` block of a search result."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from directory_api.hours.evaluate import HoursError, parse_moment


class OpenAt(fields.Field):
    """An ISO 8601 date-time with a UTC offset, as an aware datetime in Europe/Amsterdam."""

    ARGUMENT = {
        "description": "Only places open at this ISO 8601 date-time with a UTC offset "
        "(escape the '+' as %2B; Europe/Amsterdam time, Dutch public holidays)",
        "example": "2026-12-05T22:00:00+01:00",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ma.ValidationError("must be text")
        try:
            return parse_moment(value)
        except HoursError as exc:
            raise ma.ValidationError(str(exc)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.isoformat()


class OpeningSchema(ma.Schema):
    """How the results' opening hours were read: at what moment, with what filter."""

    OPEN = {"description": "Open at opening.at: true, false, or null (hours unknown)"}
    CHANGE = {"description": "When it next opens or closes (ISO 8601), null if not known"}
    ROUTE = {
        "description": "Places also paid at certain hours if open then, on their own terms "
        "(a search with open_now or open_at adds them); null when there is no such route"
    }

    at = fields.String(
        required=True, metadata={"description": "The moment `open` is for (Europe/Amsterdam)"}
    )
    only_open = fields.Boolean(
        required=True, metadata={"description": "open_now or open_at asked: only open places"}
    )
    out_of_hours = fields.Boolean(
        required=True,
        metadata={"description": "The out-of-hours route of the rules applied (see care-types)"},
    )
    unknown_hours_only = fields.Boolean(
        required=True,
        metadata={
            "description": "Nothing was open then: the results are the nearest places whose "
            "hours are unknown (open: null), never ones known to be closed"
        },
    )
