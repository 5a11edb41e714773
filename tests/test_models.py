"""The provider's fields are declared once (models.PROVIDER_FIELDS): what is derived from
the declaration agrees with it, and what stays written out is held to it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import String, Text

from directory_api import models
from directory_api.imports.cells import COLUMN_LENGTHS
from directory_api.imports.headers import HEADER_ALIASES
from directory_api.imports.rows import ProviderRowSchema
from directory_api.models import PROVIDER_FIELDS
from directory_api.store.tables import providers
from directory_api.web.schemas import ProviderSchema

READ = [f for f in PROVIDER_FIELDS if f.headers]  # the fields a list gives


def test_imports_and_the_api_take_their_fields_from_the_declaration():
    assert list(HEADER_ALIASES) == [f.name for f in READ]
    assert list(ProviderRowSchema().fields) == [f.name for f in READ]
    assert COLUMN_LENGTHS == {f.name: f.max_length for f in PROVIDER_FIELDS if f.max_length}
    served = ProviderSchema().fields
    assert list(served) == [
        "id",
        *(f.name for f in PROVIDER_FIELDS),
        *("source", "source_version", "source_list_date", "example"),
    ]
    for f in PROVIDER_FIELDS:
        assert (served[f.name].required, served[f.name].allow_none) == (f.required, f.nullable)


@pytest.mark.parametrize("field", PROVIDER_FIELDS, ids=lambda f: f.name)
def test_the_providers_table_holds_each_field_as_declared(field):
    column = providers.c[field.name]
    assert column.nullable == field.nullable
    if field.max_length is not None:
        assert isinstance(column.type, String) and column.type.length == field.max_length
    else:  # no limit of its own: unlimited text, or one of a few short codes
        assert isinstance(column.type, Text) or field.choices or field.type is not str


def test_a_row_type_that_drifts_from_the_declaration_fails_on_import():
    @dataclass(frozen=True)
    class Short:
        name: str
        category: str

    with pytest.raises(TypeError, match="does not hold PROVIDER_FIELDS"):
        models._check_holds_the_fields(Short)

    @dataclass(frozen=True)
    class Retyped:  # ProviderRow with cak_contracted no longer nullable
        name: str
        category: str
        cak_contracted: bool
        lat: float
        lon: float
        location_precision: str

    with pytest.raises(TypeError):
        models._check_holds_the_fields(Retyped)
