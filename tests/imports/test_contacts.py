"""Clean text, phone numbers and e-mail addresses (issue 14): refused characters are a
problem naming line and column, phones are E.164, addresses are what email-validator takes;
the fast paths of Phone and Email (contacts.NL_COLUMN, Email.PLAIN) equal the libraries."""

from __future__ import annotations

import marshmallow as ma
import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from directory_api.imports.cells import Email, Phone
from directory_api.imports.columns import cell_loader, load_column
from directory_api.imports.contacts import email_address, phone_number
from directory_api.imports.rows import ProviderRowSchema
from directory_api.text import terminal_safe
from tests.imports.helpers import read

HEADER = "name,category,city,phone,email\n"


@pytest.mark.parametrize(
    "name,char",
    [
        ("Apotheek \u202eLTR", "U+202E"),
        ("Apotheek\u2066 x", "U+2066"),
        ("Apo\u200btheek", "U+200B"),
        ("Apo\ufefftheek", "U+FEFF"),
        ("Apotheek \u200f", "U+200F"),
        ("Apotheek \u061c", "U+061C"),
        ("Apotheek \x1b]0;pwned\x07", "U+001B"),
        ("Apotheek\x08\x08\x08", "U+0008"),
        ("Apo\x85theek", "U+0085"),
    ],
)
def test_hidden_and_control_characters_are_a_problem_naming_line_and_column(name, char):
    parsed = read(HEADER + f'B,gp,Utrecht,,\n"{name}",gp,Utrecht,,\n')
    [problem] = parsed.problems
    assert (problem.line, problem.column) == (3, "name")
    assert char in problem.reason and "refused" in problem.reason
    assert [r.name for r in parsed.rows] == ["B"]


def test_text_is_stored_nfc():
    parsed = read(HEADER + "Cafe\u0301 Apotheek,gp,Utrecht,,\n")
    assert parsed.problems == []
    assert parsed.rows[0].name == "Caf\u00e9 Apotheek"


@pytest.mark.parametrize(
    "cell,stored",
    [
        ("030 123 4567", "+31301234567"),
        ("030-1234567", "+31301234567"),
        ("+31 (0)30-123 4567", "+31301234567"),
        ("0031 30 1234567", "+31301234567"),
        ("06-12345678", "+31612345678"),
        ("0800 5028", "+318005028"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phones_are_stored_in_e164(cell, stored):
    parsed = read(HEADER + f"A,gp,Utrecht,{cell},\n")
    assert parsed.problems == []
    assert parsed.rows[0].phone == stored


@pytest.mark.parametrize(
    "cell", ['"0301234567"" onclick=""alert(1)"""', "030 123 4567 ext 12", "112", "12345", "abc"]
)
def test_what_is_no_phone_number_is_refused(cell):
    parsed = read(HEADER + f"A,gp,Utrecht,{cell},\n")
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "phone")]
    assert parsed.rows == []


@pytest.mark.parametrize(
    "cell",
    [
        "a@b.nl?cc=spy@evil.nl",
        "a@b.nl&bcc=spy@evil.nl",
        "a?cc=spy@b.nl",
        "a%0ABcc:spy@b.nl",
        "a b@c.nl",
        "Info <a@b.nl>",
        "a..b@c.nl",
        "a@localhost",
        "a@b.test",
        "a@b",
    ],
)
def test_what_is_no_address_is_refused(cell):
    parsed = read(HEADER + f'A,gp,Utrecht,,"{cell}"\n')
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "email")], parsed.problems
    assert "not an e-mail address" in parsed.problems[0].reason


def test_addresses_are_stored_normalised():
    parsed = read(HEADER + "A,gp,Utrecht,,mailto:Info@Apotheek.NL\n")
    assert parsed.rows[0].email == "info@apotheek.nl"


# --- the fast paths equal the libraries --------------------------------------------

_digits = st.text("0123456789", min_size=6, max_size=12)
phones = st.one_of(
    _digits.map(lambda d: "0" + d),
    st.tuples(st.sampled_from(["0", "06", "030", "020", "010", "0800", "088", "097"]), _digits).map(
        lambda p: f"{p[0]} {p[1][:3]} {p[1][3:]}"
    ),
    st.sampled_from(["030 123 4567", "06-12345678", "030-1234567", "0301234567", ""]),
)


def _reference_phone(cell: str) -> str | None:
    try:
        return phone_number(cell)
    except ma.ValidationError:
        return None


@settings(max_examples=500, deadline=None)
@given(st.lists(phones, max_size=6))
def test_phone_fast_path_equals_phonenumbers(column):
    schema = ProviderRowSchema()
    field = schema.load_fields["phone"]
    assert isinstance(field, Phone)
    got = load_column(field, "phone", column, cell_loader(schema, "phone", set()))
    for cell, value in zip(column, got, strict=True):
        if not cell:
            assert value is None
            continue
        expected = _reference_phone(cell)
        assert value == expected, cell
        if expected is not None:
            number = phonenumbers.parse(cell, "NL")
            assert phonenumbers.is_valid_number(number)
            assert expected == phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )


_local = st.from_regex(r"[a-zA-Z0-9_][a-zA-Z0-9_.+-]{0,70}", fullmatch=True)
_domain = st.from_regex(r"([a-z0-9-]{1,12}\.){1,3}[a-zA-Z0-9]{1,6}", fullmatch=True)
addresses = st.one_of(
    st.tuples(_local, _domain).map("@".join),
    st.sampled_from(["info@example.org", "a.b@c.d.nl", "x@y.test", "x@y.local", "a@b-.nl"]),
    st.sampled_from(["a@" + "b" * 63 + ".nl", "a@" + "b" * 64 + ".nl", "a" * 65 + "@b.nl"]),
)


@settings(max_examples=700, deadline=None)
@given(st.lists(addresses, max_size=6))
def test_email_fast_path_equals_email_validator(column):
    schema = ProviderRowSchema()
    field = schema.load_fields["email"]
    assert isinstance(field, Email)
    invalid: set[str] = set()
    got = load_column(field, "email", column, cell_loader(schema, "email", invalid))
    for cell, value in zip(column, got, strict=True):
        try:
            expected = validate_email(
                cell, check_deliverability=False, allow_quoted_local=False
            ).normalized
        except EmailNotValidError:
            expected = None
        if expected is not None and set("?&%#") & set(cell):
            expected = None
        if expected is None:
            assert cell in invalid, cell
        else:
            assert value == expected == email_address(cell), cell


def test_terminal_safe_escapes_every_control_character():
    assert terminal_safe("A\x1b]0;x\x07B\x08\u202e\r\n\x85\u200b") == (
        "A\\x1b]0;x\\x07B\\x08\\u202e\\r\\n\\x85\\u200b"
    )
    assert terminal_safe("Apotheek Müller") == "Apotheek Müller"
