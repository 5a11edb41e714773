"""The import takes back the CSV export's formula guard (web/csv_export.py): one `'` before a
value that starts like a formula is removed, and what follows is checked as any cell."""

from __future__ import annotations

from tests.imports.helpers import problems, read

HEADER = "name,category,cak_contracted,phone,city,email,lat,lon\n"


def test_a_guarded_phone_number_reads_as_the_number():
    parsed = read(HEADER + "Apotheek A,pharmacy,true,'+31 30 123 4567,'s-Hertogenbosch,,52.1,5.1\n")
    assert problems(parsed) == []
    row = parsed.rows[0]
    assert row.phone == "+31301234567"  # served in E.164 (imports/contacts.py)
    assert row.city == "'s-Hertogenbosch"  # a "'" before no formula character stays


def test_a_guarded_formula_is_still_a_formula():
    parsed = read(HEADER + "'=HYPERLINK(1),pharmacy,true,,,'@x.nl,52.1,5.1\n")
    assert problems(parsed) == [(2, "name"), (2, "email")]


def test_an_apostrophe_name_is_kept():
    parsed = read(HEADER + "'t Apotheekje,pharmacy,true,,,,52.1,5.1\n")
    assert problems(parsed) == [] and parsed.rows[0].name == "'t Apotheekje"
