"""Phone numbers and e-mail addresses as well-kept libraries read them: phonenumbers
(region NL, served in E.164) and email-validator (no deliverability check, no quoted
local part or display name, and none of the characters a mailto: link reads as headers).
cells.Phone and cells.Email use them; their fast paths (NL_COLUMN, SPECIAL_USE) are
expressions over the libraries' own data, held equal to them by tests/imports.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from marshmallow import ValidationError


def show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


PHONE = re.compile(r"\+?\(?[0-9][0-9 ()./-]*")


# A Dutch number written 0 + its national number, which phonenumbers takes as valid
# (fixed line or mobile, from its own metadata): E.164 is "+31" + the national number.
def _nl_patterns() -> tuple[str, str]:
    """phonenumbers' expressions of Dutch fixed-line and mobile national numbers."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("NL")
    assert metadata is not None and metadata.fixed_line and metadata.mobile
    fixed = metadata.fixed_line.national_number_pattern
    mobile = metadata.mobile.national_number_pattern
    assert fixed and mobile
    return fixed, mobile


_FIXED, _MOBILE = _nl_patterns()
NL_NUMBER = rf"(?:0(?:{_FIXED}|{_MOBILE}))?"
NL_COLUMN = re.compile(rf"{NL_NUMBER}(?:\x00{NL_NUMBER})*")
# The common case faster: ten digits, 0 first. phonenumbers' NL fixed-line and mobile
# expressions are a three-digit head and then any six digits for 9-digit national numbers,
# so the head alone says whether such a number is valid (tests/imports/test_contacts.py).
VALID_HEADS = frozenset(
    head
    for head in map(str, range(100, 1000))
    if all(
        re.fullmatch(f"(?:{_FIXED}|{_MOBILE})", head + tail)
        for tail in ("000000", "999999", "123456", "987654", "505050")
    )
)


def _heads_pattern(heads: frozenset[str]) -> str:
    """The heads as one expression, a branch per first digit, a class per second."""
    branches = []
    for first in sorted({h[0] for h in heads}):
        seconds = sorted({h[1] for h in heads if h[0] == first})
        inner = "|".join(
            f"{second}[{''.join(sorted(h[2] for h in heads if h[:2] == first + second))}]"
            for second in seconds
        )
        branches.append(f"{first}(?:{inner})")
    return "(?:" + "|".join(branches) + ")"


_TEN = rf"0{_heads_pattern(VALID_HEADS)}[0-9]{{6}}"
TEN_DIGITS = re.compile(rf"{_TEN}(?:\x00{_TEN})*")  # valid Dutch numbers of ten digits


def phone_number(text: str) -> str:
    """'030 123 4567' -> '+31301234567'; a ValidationError if it is not a phone number."""
    if not PHONE.fullmatch(text):
        raise ValidationError(f"not a phone number (digits, spaces, + ( ) . - only): {show(text)}")
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(f"not a valid phone number: {show(text)}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# What a mailto: link would read as more than an address (headers, other recipients)
_MAILTO_SPECIAL = frozenset("?&%#")
SPECIAL_USE = re.compile(
    r"\.(?:" + "|".join(map(re.escape, SPECIAL_USE_DOMAIN_NAMES)) + r")(?:\x00|$)"
)


# What every address email-validator takes looks like (a local part, @, a dotted domain)
_ADDRESS_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def email_address(text: str) -> str:
    """The address email-validator normalises it to; a ValidationError if it is none."""
    special = sorted(_MAILTO_SPECIAL.intersection(text))
    if special:
        raise ValidationError(
            f"not an e-mail address: {show(text)} (holds {' '.join(special)}, which a "
            "mailto: link reads as more than an address)"
        )
    if not _ADDRESS_SHAPE.fullmatch(text):  # the obvious cases without the validator
        raise ValidationError(f"not an e-mail address: {show(text)}")
    try:
        valid = validate_email(
            text, check_deliverability=False, allow_quoted_local=False, allow_display_name=False
        )
    except EmailNotValidError as error:
        raise ValidationError(f"not an e-mail address: {show(text)} ({error})") from None
    return valid.normalized
