"""Cells to values: one marshmallow field per kind of cell (text, name, category, yes/no,
postcode, phone, website, e-mail, opening hours, coordinates, facility type, services), and
the parsers they share.

models.ProviderField.cell names each field's kind (KINDS). A cell's field also says which
of its cells are "plain" (PLAIN, plain_column): what columns.py may take without parsing.
Nothing here raises on bad input but marshmallow's ValidationError, worded for the report.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from marshmallow import ValidationError, fields

from directory_api.errors import MalformedPostcode
from directory_api.geo.gazetteer import normalize_postcode
from directory_api.hours.evaluate import HoursError
from directory_api.hours.normalise import normalise_hours
from directory_api.imports.contacts import (
    NL_COLUMN,
    PHONE,
    SPECIAL_USE,
    TEN_DIGITS,
    email_address,
    phone_number,
)
from directory_api.imports.words import (
    category_code,
    facility_type_code,
    parse_contracted,
    services_codes,
)
from directory_api.models import CATEGORIES, FACILITY_TYPES, PROVIDER_FIELDS
from directory_api.text import FORBIDDEN_CLASS, forbidden_character


def looks_like_formula(value: str) -> bool:
    """Would a spreadsheet run this as a formula? (=, +, - or @ first, or a tab or CR)"""
    text = value.strip()
    return value[:1] in ("\t", "\r") or text[:1] in ("=", "+", "-", "@")


def show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_DOMAIN = r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}\.?(?::[0-9]+)?"
_URL = re.compile(rf"https?://{_DOMAIN}(?:[/?#]\S*)?", re.IGNORECASE)
_BARE = re.compile(rf"{_DOMAIN}(?:[/?#]\S*)?", re.IGNORECASE)


def _number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


# --- marshmallow fields: one per kind of cell ------------------------------------------


# The longest value the store keeps per field (its VARCHAR lengths): a longer one is a
# problem in the row, not a database error. tests/reliability checks them against store.py.
COLUMN_LENGTHS: dict[str, int] = {
    f.name: f.max_length for f in PROVIDER_FIELDS if f.max_length is not None
}


# --- clean text: what every text cell must be (issue 14) ---------------------------------

_F = FORBIDDEN_CLASS  # for the PLAIN expressions: a plain cell holds none of these


def clean_text(text: str) -> str:
    """The text NFC-normalised; a ValidationError if it holds a character no cell may hold
    (text.FORBIDDEN: controls, bidi overrides and isolates, zero-width characters)."""
    found = forbidden_character(text)
    if found is not None:
        raise ValidationError(f"holds the invisible or control character {found}: refused")
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# A plain cell's first character: no whitespace or formula character, and an apostrophe only
# before a lowercase letter ("'s-Gravenhage", "'t Harde"), which no formula follows.
_PLAIN_FIRST = rf"(?:'[a-z]|[^\s=+\-@'{_F}])"


class Text(fields.Field):
    """Stripped text, '' -> None; rejects over-long values and spreadsheet formulas."""

    # A plain cell (see load_column) is empty or has no whitespace around it and no formula
    # character first, so that strip() and looks_like_formula() change nothing. None: no
    # plain cells; every distinct cell goes through _deserialize once.
    PLAIN: str | None = rf"(?:{_PLAIN_FIRST}[^{_F}]*+(?<!\s))?"
    PARSED = False  # True: clean() is a library's parser, given no text longer than the column

    def longest(self, attr: str) -> int:
        """The longest plain cell: both length checks of _deserialize pass."""
        limit: int = getattr(self.root, "max_field_chars", 10_000)
        return min(limit, COLUMN_LENGTHS.get(attr, limit))

    def plain_column(self, cells: Sequence[str], joined: str) -> Sequence[Any] | None:
        """What _deserialize returns for each of these plain cells (joined: them joined by
        "\x00"); None if some need _deserialize after all."""
        return cells if all(cells) else [cell or None for cell in cells]  # one pass in C

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("required"):
            kwargs.setdefault("load_default", None)
        super().__init__(allow_none=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ValidationError("must be text")
        limit = getattr(self.root, "max_field_chars", 10_000)
        if len(value) > limit:
            raise ValidationError(f"value is longer than {limit} characters ({len(value)})")
        if value[:1] == "'" and looks_like_formula(value[1:]):
            value = value[1:]  # an export's guard (web/csv_export.py); what follows is checked
        text = value.strip()
        if not text or text == "-":  # a lone dash is a spreadsheet's "nothing here"
            return self.empty()
        text = clean_text(text)
        if looks_like_formula(value) and not self.harmless(text):
            raise ValidationError("looks like a spreadsheet formula")
        longest = COLUMN_LENGTHS.get(attr or "")
        if self.PARSED and longest is not None and len(text) > longest:  # before the parser
            raise ValidationError(f"longer than {longest} characters ({len(text)})")
        cleaned = self.clean(text)
        if longest is not None and isinstance(cleaned, str) and len(cleaned) > longest:
            raise ValidationError(f"longer than {longest} characters ({len(cleaned)})")
        return cleaned

    def empty(self) -> Any:
        return None

    def harmless(self, text: str) -> bool:
        """May this value start with a formula character?"""
        return False

    def clean(self, text: str) -> Any:
        return text


class Name(Text):
    PLAIN = rf"{_PLAIN_FIRST}[^{_F}]*+(?<!\s)"  # never empty

    def plain_column(self, cells: Sequence[str], joined: str) -> Sequence[Any] | None:
        return cells

    def empty(self) -> Any:
        raise ValidationError("name is empty")

    def clean(self, text: str) -> Any:
        if len(text) > 300:
            raise ValidationError(f"name is longer than 300 characters ({len(text)})")
        return text


class Category(Text):
    PLAIN = None  # a handful of distinct values

    def empty(self) -> Any:
        raise ValidationError("category is missing")

    def clean(self, text: str) -> Any:
        code = category_code(text)
        if code is None:
            raise ValidationError(
                f"unknown category {show(text)} (use one of: " + ", ".join(CATEGORIES) + ")"
            )
        return code


class Contracted(Text):
    PLAIN = None  # a handful of distinct values

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            return value
        return super()._deserialize(value, attr, data, **kwargs)

    def clean(self, text: str) -> Any:
        try:
            return parse_contracted(text)
        except ValueError:
            raise ValidationError(f"not a yes/no value: {show(text)}") from None


class Postcode(Text):
    PLAIN = r"(?:[1-9][0-9]{3}(?: (?!S[ADS])[A-Z]{2})?)?"  # normalize_postcode keeps these

    def clean(self, text: str) -> Any:
        try:
            postcode = normalize_postcode(text)
        except MalformedPostcode:
            postcode = None
        if postcode is None:
            raise ValidationError(f"malformed postcode {show(text)}")
        return postcode


class Phone(Text):
    """A phone number as phonenumbers reads it (region NL, or +country), in E.164
    ('+31301234567'): the one form served, which a tel: link dials exactly."""

    PARSED = True
    # Digits in groups, 0 first: plain_column keeps the valid Dutch ones (contacts.NL_NUMBER)
    PLAIN = r"(?:0[1-9][0-9]*+(?:[ -][0-9]++)*+)?"

    def plain_column(self, cells: Sequence[str], joined: str) -> Sequence[Any] | None:
        compact = joined.replace(" ", "").replace("-", "")  # (str.translate is slower)
        if not (TEN_DIGITS.fullmatch(compact) or NL_COLUMN.fullmatch(compact)):
            return None
        if not all(cells):
            return ["+31" + c[1:] if c else None for c in compact.split("\x00")]
        # every cell is 0 + its national number: "+31" in place of each leading 0
        return ("+31" + compact[1:]).replace("\x000", "\x00+31").split("\x00")

    def harmless(self, text: str) -> bool:
        digits = sum(c.isdigit() for c in text)
        return bool(PHONE.fullmatch(text)) and 3 <= digits <= 15

    def clean(self, text: str) -> Any:
        return phone_number(text)


class Website(Text):
    # What _URL takes as it is, with ASCII domain names only (a faster expression)
    PLAIN = (
        r"(?:[hH][tT][tT][pP][sS]?://(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*+(?<!-))?\.)++"
        rf"[a-zA-Z]{{2,}}+\.?(?::[0-9]+)?(?:[/?#][^\s{_F}]*+)?)?"
    )

    def clean(self, text: str) -> Any:
        if _URL.fullmatch(text):
            return text
        if _BARE.fullmatch(text):
            return "https://" + text
        raise ValidationError(f"not a website address: {show(text)}")


class Email(Text):
    """An address as email-validator takes it (no quoted local part, no display name, no
    deliverability check), in its normalised form; no '?', '&', '%' or '#', which a mailto:
    link would read as headers (a@b.nl?cc=c@d.nl)."""

    PARSED = True
    # ASCII addresses email-validator gives back unchanged (lowercase, dot-atom local
    # part of at most 64, labels of at most 63, 254 in all); plain_column drops special-use
    # domains (.test, .local, ...)
    PLAIN = (
        r"(?:(?=[^\x00]{0,254}(?![^\x00]))(?=[^@\x00]{1,64}@)"
        r"[a-z0-9_][a-z0-9_+-]*+(?:\.[a-z0-9_+-]++)*+@"
        r"(?:(?=[a-z0-9-]{1,63}\.)[a-z0-9]++(?:-[a-z0-9]++)*+\.)++[a-z]{2,63}+)?"
    )

    def plain_column(self, cells: Sequence[str], joined: str) -> Sequence[Any] | None:
        if SPECIAL_USE.search(joined):
            return None
        return super().plain_column(cells, joined)

    def clean(self, text: str) -> Any:
        return email_address(text.removeprefix("mailto:"))


HOURS_NOT_UNDERSTOOD = "opening hours not understood"  # rows.RowChecker may keep such rows


class OpeningHours(Text):
    """OSM `opening_hours` syntax or a Dutch form, normalised to OSM (hours/normalise.py)."""

    PLAIN = None  # every distinct cell is normalised once

    def clean(self, text: str) -> Any:
        try:
            return normalise_hours(text)
        except HoursError as exc:
            raise ValidationError(
                f"{HOURS_NOT_UNDERSTOOD}: {show(text)} ({exc}); write e.g. "
                "'Mo-Fr 08:00-17:30; Sa 10:00-13:00; PH off' or 'ma-vr 08:30-17:00, za 10:00-13:00'"
            ) from None


class Coordinate(Text):
    PLAIN = r"(?:[0-9]+(?:[.,][0-9]*)?)?"  # _NUMBER without a sign

    def __init__(self, low: float, high: float, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.low, self.high, self.label = low, high, label

    def plain_column(self, cells: Sequence[str], joined: str) -> Sequence[Any] | None:
        if "," in joined:  # decimal commas
            cells = joined.replace(",", ".").split("\x00")
        values: list[float | None]
        if not all(cells):
            values = [float(c) if c else None for c in cells]
            numbers = [v for v in values if v is not None]
        else:
            values = numbers = list(map(float, cells))  # type: ignore[assignment]
        if numbers and not (self.low <= min(numbers) and max(numbers) <= self.high):
            return None  # some out of the range
        return values

    def harmless(self, text: str) -> bool:
        return _number(text) is not None

    def clean(self, text: str) -> Any:
        value = _number(text)
        if value is None:
            raise ValidationError(f"{self.label} is not a number: {show(text)}")
        if not self.low <= value <= self.high:
            raise ValidationError(
                f"{self.label} {value} is outside the Netherlands ({self.low} to {self.high})"
            )
        return value


class FacilityType(Text):
    PLAIN = None  # a handful of distinct values

    def clean(self, text: str) -> Any:
        code = facility_type_code(text)
        if code is None:
            raise ValidationError(
                f"unknown facility type {show(text)} (use one of: "
                + ", ".join(FACILITY_TYPES)
                + ")"
            )
        return code


class Services(Text):
    PLAIN = None  # a handful of distinct values

    def clean(self, text: str) -> Any:
        try:
            return services_codes(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


# The kinds of cell (models.ProviderField.cell), each a marshmallow field for its cells.
KINDS: dict[str, Callable[..., Text]] = {
    "text": Text,
    "name": Name,
    "category": Category,
    "contracted": Contracted,
    "postcode": Postcode,
    "phone": Phone,
    "website": Website,
    "email": Email,
    "facility_type": FacilityType,
    "services": Services,
    "opening_hours": OpeningHours,
    "latitude": partial(Coordinate, 50.6, 53.7, "latitude"),
    "longitude": partial(Coordinate, 3.2, 7.3, "longitude"),
}
