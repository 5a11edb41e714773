"""search/sheet.py: the referral sheet's sections, without Flask."""

from __future__ import annotations

from datetime import datetime

import pytest

from directory_api.hours.evaluate import TIMEZONE
from directory_api.models import Origin, Provider
from directory_api.search import sheet
from directory_api.search.directory import Directory
from directory_api.search.notice import empty_notice
from directory_api.search.ranking import nearest
from directory_api.search.rules_file import load_rules

RULES = load_rules(None)
HERE = Origin(52.09, 5.12, "coordinates", "coordinates")


def provider(pid: str, category: str, contracted: bool | None, lat: float) -> Provider:
    return Provider(pid, f"Place {pid}", category, contracted, lat, 5.12, "coordinates", "t", 1)


DIRECTORY = Directory.build(
    1,
    [
        provider("p1", "pharmacy", True, 52.10),
        provider("p2", "pharmacy", True, 52.20),
        provider("p3", "pharmacy", False, 52.09),
        provider("h1", "hospital", True, 52.30),
        provider("g1", "gp", None, 52.091),
    ],
)


def test_care_list_is_parsed_in_order():
    assert sheet.parse_care_list("gp,pharmacy") == ("gp", "pharmacy")
    assert sheet.parse_care_list(" gp , hospital") == ("gp", "hospital")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "separated by commas"),
        ("gp,", "separated by commas"),
        ("gp,shop", "unknown care type 'shop'"),
        ("gp,gp", "given twice"),
        (",".join(["gp", "pharmacy", "hospital", "dental", "emergency", "support", "maternity"]),
         "at most 6"),
    ],
)  # fmt: skip
def test_bad_care_lists_say_why(text, says):
    with pytest.raises(ValueError, match=says):
        sheet.parse_care_list(text)


AT = datetime(2026, 12, 1, 11, 0, tzinfo=TIMEZONE)  # a Tuesday morning


def test_sections_equal_one_search_each():
    found = sheet.sections(
        DIRECTORY, RULES, HERE, ("pharmacy", "long_term_care", "gp"), scheme="uninsurable",
        lang="en", per_care=1, at=AT,
    )  # fmt: skip
    assert [s.care for s in found] == ["pharmacy", "long_term_care", "gp"]
    assert found[0].found == nearest(DIRECTORY, RULES.rule("pharmacy"), HERE, limit=1)
    assert found[0].timed.at == AT and not found[0].timed.only_open
    assert [DIRECTORY.providers[i].id for i, _, _ in found[0].found] == ["p1"]
    assert found[0].notice is None and found[2].notice is None
    assert found[1].found == [] and found[1].notice is not None
    # The notice an empty search answer carries, in the request's language.
    rule = RULES.rule("long_term_care", "uninsurable")
    assert found[1].notice == empty_notice(DIRECTORY, rule, found=0, lang="en").as_dict()
