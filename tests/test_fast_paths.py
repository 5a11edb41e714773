"""The fast paths agree with the slow ones they stand in for."""

from __future__ import annotations

import marshmallow as ma
from hypothesis import given, settings
from hypothesis import strategies as st

from directory_api.imports.importer import ProviderRowSchema

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "-",
            "3511 AB",
            "3511ab",
            "12345",
            "ja",
            "nee",
            "maybe",
            "52,09",
            "52.1",
            "5.12",
            "91",
            "pharmacy",
            "apotheek",
            "winkel",
            "=SUM(A1)",
            "+31 20 123 4567",
            "@x",
            "www.example.nl",
            "http://x",
            "a@b.nl",
            "a@",
            " Apotheek ",
        ]
    ),
)
ROW_KEYS = list(ProviderRowSchema().load_fields)


@settings(max_examples=1500, deadline=None)
@given(
    row=st.dictionaries(st.sampled_from([*ROW_KEYS, "unknown"]), cells),
    default_category=st.sampled_from([None, "pharmacy"]),
    default_contracted=st.sampled_from([None, True]),
)
def test_row_fast_load_equals_schema_load(row, default_category, default_contracted):
    schema = ProviderRowSchema(
        default_category=default_category, default_contracted=default_contracted
    )
    fast = schema.fast_load(row)
    try:
        slow = schema.load(row)
    except ma.ValidationError:
        assert fast is None
        return
    if fast is not None:
        assert fast == slow
