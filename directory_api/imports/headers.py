"""Headers to fields: which column holds which provider field, by the header names of
models.PROVIDER_FIELDS (Dutch and English, case and punctuation ignored) or a column map,
and one warning for the columns that are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from directory_api.errors import InvalidRow
from directory_api.models import PROVIDER_FIELDS

# Provider field -> the header names lists give it. Compared by header_key().
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    f.name: f.headers for f in PROVIDER_FIELDS if f.headers
}
FIELDS: tuple[str, ...] = tuple(HEADER_ALIASES)


def header_key(text: str) -> str:
    """' E-mail ' -> 'email', 'House Number' -> 'housenumber': case and punctuation ignored."""
    return re.sub(r"[\W_]+", "", text.casefold())


_ALIAS_TO_FIELD = {header_key(a): f for f, names in HEADER_ALIASES.items() for a in names}


@dataclass
class Columns:
    """Which position holds which canonical field, and the header text the user wrote."""

    width: int
    index: dict[int, str] = field(default_factory=dict)  # position -> canonical field
    header: dict[str, str] = field(default_factory=dict)  # canonical field -> header text
    problems: list[InvalidRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # ignored header texts

    def assign(self, position: int, name: str, text: str) -> None:
        self.index[position] = name
        self.header[name] = text

    def pick(self, values: Sequence[str]) -> dict[str, str]:
        return {name: values[i] for i, name in self.index.items() if i < len(values)}

    def column(self, name: str | None) -> str | None:
        """The header text for a canonical field (the canonical name if there is no column)."""
        return None if name is None else self.header.get(name, name)


def map_columns(
    headers: Sequence[str], column_map: Mapping[str, str] | None = None, *, line: int = 1
) -> Columns:
    """Map header texts to canonical fields: column_map first, then the aliases."""
    columns = Columns(width=len(headers))
    _apply_column_map(columns, headers, column_map or {}, line)
    unknown = columns.unknown
    for position, text in enumerate(headers):
        name = _ALIAS_TO_FIELD.get(header_key(text))
        if position in columns.index or not text.strip():
            continue
        if name is None:
            unknown.append(text.strip())
        elif name in columns.header:
            columns.warnings.append(
                f"column {text.strip()!r} ignored: {columns.header[name]!r} already gives {name}"
            )
        else:
            columns.assign(position, name, text.strip())
    if unknown:
        columns.warnings.append(unknown_warning(unknown))
    return columns


def _apply_column_map(
    columns: Columns, headers: Sequence[str], column_map: Mapping[str, str], line: int
) -> None:
    folded = [h.strip().casefold() for h in headers]
    for name, wanted in column_map.items():
        if name not in FIELDS:
            reason = f"unknown field {name!r} in the column map (known: {', '.join(FIELDS)})"
            columns.problems.append(InvalidRow(line, None, reason))
        elif wanted.strip().casefold() not in folded:
            reason = f"column {wanted!r} (given for {name}) is not in the header"
            columns.problems.append(InvalidRow(line, wanted, reason))
        else:
            position = folded.index(wanted.strip().casefold())
            columns.assign(position, name, headers[position].strip())


def unknown_warning(names: list[str], shown: int = 10) -> str:
    """One warning for any number of ignored columns: 'ignored extra columns: a, b and 9 more'."""
    text = ", ".join(n if len(n) <= 40 else n[:40] + "…" for n in names[:shown])
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"ignored extra columns: {text}{more}"
