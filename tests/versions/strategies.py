"""Provider rows for the versions tests: mostly as an import makes them (plain Dutch names,
postcodes, house numbers, external ids), now and then an awkward value."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from directory_api.models import ProviderRow

# Awkward parts: what fold() treats unlike lower() (accents, ligatures, NUL, separators,
# runs of whitespace, spaces at either end) and the key separator "|".
AWKWARD = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "Apotheek Müller", "A  B", " a", "a ", "a|b", "x\x00y", "3511 AB"]),
    st.text(alphabet=" \t\x1c|aAzZéß\u0301ﬁ\xa0\x00", max_size=6),
)

_WORD = st.text(alphabet=string.ascii_letters + string.digits + "'-.&/()", min_size=1, max_size=9)
NAMES = st.one_of(
    st.sampled_from(
        ["Apotheek De Linde", "apotheek de linde", "Huisartsenpraktijk Oost", "GGZ Centrum"]
        + ["St. Antonius Ziekenhuis", "Tandarts 't Hart", "Zorg & Co", "Huisarts (Noord)"]
    ),
    st.lists(_WORD, min_size=1, max_size=4).map(" ".join),
)
POSTCODES = st.one_of(
    st.none(),
    st.sampled_from(["3511 AB", "1012 JS", "9711 ab", "3511", ""]),
    st.from_regex(r"[1-9][0-9]{3} [A-Z]{2}", fullmatch=True),
)
HOUSE_NUMBERS = st.one_of(
    st.none(),
    st.sampled_from(["1", "12a", "12 A", "1-3", "100", ""]),
    st.from_regex(r"[1-9][0-9]{0,2}[a-z]?", fullmatch=True),
)
EXTERNAL_IDS = st.one_of(
    st.none(),
    st.sampled_from(["A1", "a1", " A1", "A1 ", "12"]),
    st.from_regex(r"AGB-[0-9]{8}", fullmatch=True),
)


def mostly(
    valid: st.SearchStrategy, awkward: st.SearchStrategy, one_in: int = 5
) -> st.SearchStrategy:
    """`valid`, but one time in `one_in` `awkward`."""
    return st.integers(0, one_in - 1).flatmap(lambda n: awkward if n == 0 else valid)


# (name, postcode, house number, external id): the arguments of row()
valid_specs = st.tuples(NAMES, POSTCODES, HOUSE_NUMBERS, EXTERNAL_IDS)
awkward_specs = st.tuples(
    mostly(NAMES, AWKWARD, 2),
    mostly(POSTCODES, AWKWARD, 2),
    mostly(HOUSE_NUMBERS, AWKWARD, 2),
    mostly(EXTERNAL_IDS, AWKWARD, 2),
)
# Lists of rows as a file gives them: four in five wholly valid, else with awkward values.
spec_lists = mostly(
    st.lists(valid_specs, max_size=30), st.lists(mostly(valid_specs, awkward_specs, 2), max_size=30)
)


def row(
    name: str | None,
    postcode: str | None = None,
    house_number: str | None = None,
    external_id: str | None = None,
) -> ProviderRow:
    return ProviderRow(
        name=name or "n",
        category="gp",
        cak_contracted=None,
        lat=52.0,
        lon=5.0,
        location_precision="coordinates",
        external_id=external_id,
        postcode=postcode,
        house_number=house_number,
    )
