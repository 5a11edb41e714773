"""What the import tests share: a locator that records what it is asked, readers, and
the strategies of the property tests (mostly valid cells)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from directory_api.imports.reader import read_provider_file
from directory_api.imports.report import ParsedFile
from directory_api.imports.rows import ProviderRowSchema

DATA = Path(__file__).parent.parent / "data" / "import"


class FakeLocator:
    """Knows three PC4 areas and three places; records what it was asked."""

    POSTCODES = {"3511": (52.0907, 5.1214), "1012": (52.3731, 4.8922), "5211": (51.6978, 5.3037)}
    PLACES = {
        "utrecht": (52.0908, 5.1222),
        "amsterdam": (52.3728, 4.8936),
        "’s-hertogenbosch": (51.6998, 5.3049),
    }

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, str | None]] = []

    def locate_row(self, postcode: str | None, city: str | None):
        self.calls.append((postcode, city))
        if postcode and postcode[:4] in self.POSTCODES:
            return (*self.POSTCODES[postcode[:4]], "postcode4")
        if city and city.casefold() in self.PLACES:
            return (*self.PLACES[city.casefold()], "place")
        return None


def read(data: bytes | str, **kwargs) -> ParsedFile:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    kwargs.setdefault("locator", FakeLocator())
    return read_provider_file(raw, **kwargs)


def read_sample(name: str, **kwargs) -> ParsedFile:
    return read((DATA / name).read_bytes(), **kwargs)


def problems(parsed: ParsedFile) -> list[tuple[int, str | None]]:
    return [(p.line, p.column) for p in parsed.problems]


# --- strategies for the property tests ----------------------------------------------

FIELDS = list(ProviderRowSchema().load_fields)

SAMPLES = [
    *("", " ", "-", " - ", "\t", "x", " x", "x ", "x\t", "\tx", "\rx", "a  b", "a\nb", "\xa0x"),
    *("=SUM(A1)", "+31 20 123 4567", "-5", "@x", " =1", "+", "0031 20", "(030) 123", "030-1234"),
    *("'s-Gravenhage", "'t Harde", "'=1", "'-5", "'", "'S x", "' s", "'s ", "'\tx"),
    *("Apotheek", " Apotheek ", "apotheek", "GGZ-instelling", "pharmacy", "winkel", "Gp"),
    *("ja", "nee", "JA", "true", "0", "1", "maybe", "waar"),
    *("3511 AB", "3511AB", "3511 ab", "0123 AB", "3511 SA", "3511 SS", "3511", "351", "3511  AB"),
    *("52", "52.1", "52,09", "52.", ".5", "0052.1", "53.7", "53.70001", "3.2", "7.3", "5", "1e3"),
    *("nan", "inf", "9" * 400, "52.1.2", "٣", "5_0"),
    *(
        "https://example.org/x",
        "HTTP://EXAMPLE.NL",
        "https://x",
        "www.example.nl",
        "https://a.b/ c",
    ),
    *("https://ex.nl:80/p?q#f", "https://münchen.de", "http://a_b.nl", "https://a.nl\x00"),
    *(
        "a@b.nl",
        "mailto:a@b.nl",
        "=a@b.nl",
        "-a@b.nl",
        "a@b",
        "a@b.",
        "a b@c.nl",
        "a@b.c.nl",
        "a@@b",
    ),
    *("Kinderziekenhuis", "outpatient clinic", "ziekenhuis", "seh;", "seh,tandarts", ";;"),
    *("Müller", "ÉÉN", "straße", "ﬁ", "x\u0301", "a|b", "a\x1cb", "Ｘ"),
    *("x" * 16, "x" * 17, "x" * 50, "x" * 51, "x" * 100, "x" * 101, "x" * 200, "x" * 201),
    *("x" * 300, "x" * 301, "y" * 299 + " "),
]
cells = st.one_of(
    st.sampled_from(SAMPLES),
    st.sampled_from(SAMPLES),
    st.text(max_size=8),
    st.text(alphabet=" \t\r\n\xa0=+-@,.;:/|'\"0123456789aAzZSéß", max_size=10),
    st.tuples(st.sampled_from(SAMPLES), st.sampled_from(SAMPLES)).map("".join),
)


# Valid cells of each field, as lists give them (what load() accepts, with a default
# category and contracted value or without).
VALID = {
    "external_id": ["A1", "syn-1", "", "0042"],
    "name": ["Apotheek Müller", "Huisarts de Vries", "a  b", " X ", "ÉÉN"],
    "category": ["pharmacy", "Apotheek", "gp", "GGZ-instelling", " huisarts "],
    "cak_contracted": ["ja", "nee", "", "true", "0", "-"],
    "street": ["Dorpsstraat", "Oude Gracht", "", "Laan 1940-1945"],
    "house_number": ["12a", "1", "", "100-102"],
    "postcode": ["3511 AB", "3511ab", "1012", "", "5211 XX"],
    "city": ["Utrecht", "’s-Hertogenbosch", "", "Den Haag"],
    "phone": ["030 123 4567", "+31 20 123 4567", "", "(030) 123"],
    "website": ["https://example.org/a?b=c", "www.example.nl", "", "HTTP://EXAMPLE.NL"],
    "email": ["info@example.org", "mailto:a@b.nl", "", "a.b@c.d.nl"],
    "opening_hours": ["ma-vr 9-17", "", "24/7"],
    "facility_type": ["Algemeen ziekenhuis", "kinderziekenhuis", "", "categorical", " UMC "],
    "services": ["seh, verloskunde", "SEH;Verloskunde", "", "spoedeisende hulp", "-"],
    "lat": ["52.09", "52,09", "51.5", "53.7"],
    "lon": ["5.12", "4,9", "6.0", "3.2"],
}


def mostly_valid(name: str, awkward: st.SearchStrategy[str] = cells) -> st.SearchStrategy[str]:
    """A valid cell of this field nine times in ten, else an awkward one."""
    return st.sampled_from([st.sampled_from(VALID[name])] * 9 + [awkward]).flatmap(lambda s: s)


# True one time in ten (st.integers(0, 9) draws 0 far more often than that)
one_in_ten = st.sampled_from([False] * 9 + [True])


_OTHERS = [f for f in FIELDS if f not in ("name", "category", "lat", "lon")]


@st.composite
def header_fields(draw: st.DrawFn) -> list[str]:
    """The fields a header gives: mostly name, category, some others and both coordinates
    or neither (as a valid list has them); one time in ten any fields at all."""
    if draw(one_in_ten):
        return draw(st.lists(st.sampled_from(FIELDS), unique=True, min_size=1))
    chosen = ["name", "category", *draw(st.lists(st.sampled_from(_OTHERS), unique=True))]
    chosen += ["lat", "lon"] if draw(st.booleans()) else []
    return list(draw(st.permutations(chosen)))


def how_many(part: int, whole: int) -> str:
    """'none', 'some' or 'all': a bucket for hypothesis.event."""
    return "none" if not part else "all" if part == whole else "some"
