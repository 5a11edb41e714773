"""A provider's values as they travel between the store and this package: a tuple in
PROVIDER_FIELDS order (`Values`), and a row's identity keys (`Identity`)."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from directory_api.models import ProviderRow

# Fields of a provider that are compared between versions. A provider's values travel as a
# tuple in this order (Values) between the store and compare/assign_ids.
PROVIDER_FIELDS: tuple[str, ...] = tuple(n for n in ProviderRow._fields if n != "line")
Values = tuple[Any, ...]
Identity = tuple[str | None, str]  # identity_keys: (external-id key, name+postcode+house key)
assert ProviderRow._fields[-1] == "line"
row_values: Callable[[ProviderRow], Values] = itemgetter(slice(-1))  # all but the line
# Positions in Values of the fields that name a provider or make its identity.
NAME, EXT, POSTCODE, HOUSE = (
    PROVIDER_FIELDS.index(f) for f in ("name", "external_id", "postcode", "house_number")
)
