"""<care-finder> for referrers (issue 11) in headless Chromium: the example-data banner, the
`restricted_to` headline, "maximaal 80%", the age question and the notice of an empty answer.
Screenshots in tests/artifacts/referrer-*.png."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from directory_api import create_app
from directory_api.imports.pipeline import import_file
from tests.browser.conftest import Api, HostSite, serve
from tests.conftest import have_real_geodata, real_geodata_dir

pytestmark = pytest.mark.browser

COLUMNS = ["name", "category", "cak_contracted", "street", "house_number", "postcode", "city"]
REAL = [  # a real list of pharmacies and GPs around Utrecht
    ["Apotheek Echt (test)", "pharmacy", "true", "Domplein", "1", "3512 JE", "Utrecht"],
    ["Huisarts Echt (test)", "gp", "", "Oudegracht", "10", "3511 AB", "Utrecht"],
]
EXAMPLE = [  # invented: the pharmacy is hidden (a real list holds pharmacies), the dentist not
    [
        "Voorbeeldapotheek (example)",
        "pharmacy",
        "true",
        "Voorbeeldstraat",
        "1",
        "3511 AB",
        "Utrecht",
    ],
    ["Voorbeeldtandarts (example)", "dentist", "", "Voorbeeldweg", "2", "3511 AB", "Utrecht"],
]


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def referrer_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if not have_real_geodata():
        pytest.skip(f"real geodata not fetched into {real_geodata_dir()}: run 'make geodata'")
    tmp: Path = tmp_path_factory.mktemp("referrer-api")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp / 'directory.sqlite3'}",
            "DIRECTORY_INSTANCE_PATH": str(tmp / "instance"),
            "DIRECTORY_GEODATA_PATH": str(real_geodata_dir()),
        }
    )
    services = app.extensions["directory"]
    import_file(services, as_csv(REAL), source_name="Echte lijst")
    import_file(services, as_csv(EXAMPLE), source_name="Voorbeelden", example=True)
    try:
        with serve(app) as url:
            yield Api(url)
    finally:
        services.store.dispose()


def widget_tab(open_tab, host_site: HostSite, api: Api, name: str, attrs: str) -> Any:
    tab = open_tab(allow=(api.host,))
    tab.page.goto(host_site.widget_page(name, api, attrs))
    return tab


def search(widget: Any, near: str = "3511 AB") -> None:
    widget.get_by_label(re.compile("Postcode or place|Postcode of plaats")).fill(near)
    widget.get_by_role("button", name=re.compile("^(Search|Zoeken)$")).click()


def test_example_results_are_under_a_banner_and_restricted_to_is_the_headline(
    open_tab, referrer_api: Api, host_site: HostSite
):
    tab = widget_tab(
        open_tab, host_site, referrer_api, "referrer-dental", 'care="dental" lang="nl"'
    )
    widget = tab.page.locator("care-finder")
    expect(widget.get_by_text("Voor wie is de zorg?")).to_be_visible()  # the age question
    search(widget)
    card = widget.locator("li.card").first
    expect(card.locator("h3")).to_have_text("Voorbeeldtandarts (example)")
    banner = widget.locator(".example-banner")
    expect(banner).to_contain_text("Voorbeeldgegevens — niet gebruiken om te verwijzen")
    expect(card.locator(".badge")).to_have_text("Voorbeeldgegevens")  # never the contract badge
    # Adult terms without an answer: only dentures and special dentistry are paid.
    headline = card.locator(".restricted")
    expect(headline).to_contain_text("Alleen vergoed voor:")
    expect(headline).to_contain_text("Volledig uitneembare prothese")
    expect(card.locator(".terms")).not_to_contain_text("Het CAK betaalt 80%")
    tab.shot("referrer-example-banner-restricted-to")


def test_the_age_question_sends_age_group_and_child_terms_are_shown(
    open_tab, referrer_api: Api, host_site: HostSite
):
    tab = widget_tab(open_tab, host_site, referrer_api, "referrer-age", 'lang="en"')
    widget = tab.page.locator("care-finder")
    question = widget.locator("[data-age-question]")
    widget.get_by_label("Kind of care").select_option("pharmacy")
    expect(question).to_be_hidden()  # the answer does not depend on age
    widget.get_by_label("Kind of care").select_option("dental")
    expect(question).to_be_visible()
    widget.get_by_label("A child (under 18)").check()
    search(widget)
    card = widget.locator("li.card").first
    expect(card.locator(".share")).to_have_text("The CAK pays 80% of the bill you cannot pay.")
    expect(card.locator(".restricted")).to_have_count(0)
    expect(widget.locator(".example-banner")).to_contain_text(
        "Example data — do not use for referrals"
    )
    sent = [r.url for r in tab.requests if "/v1/search" in r.url]
    assert len(sent) == 1 and "age_group=child" in sent[0]
    tab.shot("referrer-age-question")


def test_gp_terms_say_maximaal_and_real_lists_hide_the_examples(
    open_tab, referrer_api: Api, host_site: HostSite
):
    tab = widget_tab(open_tab, host_site, referrer_api, "referrer-gp", 'care="gp" lang="nl"')
    widget = tab.page.locator("care-finder")
    search(widget)
    card = widget.locator("li.card").first
    expect(card.locator("h3")).to_have_text("Huisarts Echt (test)")
    expect(card.locator(".share")).to_have_text(
        "Het CAK betaalt maximaal 80% van de rekening die je niet kunt betalen."
    )
    expect(widget.locator(".example-banner")).to_have_count(0)

    tab2 = widget_tab(open_tab, host_site, referrer_api, "referrer-pharmacy", 'care="pharmacy"')
    widget2 = tab2.page.locator("care-finder")
    search(widget2)
    expect(widget2.locator("li.card h3")).to_have_text(["Apotheek Echt (test)"])
    expect(widget2.locator(".example-banner")).to_have_count(0)


def test_an_empty_answer_shows_the_notice(open_tab, referrer_api: Api, host_site: HostSite):
    tab = widget_tab(
        open_tab, host_site, referrer_api, "referrer-notice", 'care="long_term_care" lang="en"'
    )
    widget = tab.page.locator("care-finder")
    search(widget)
    expected = referrer_api.search(care="long_term_care", near="3511 AB", lang="en")
    assert expected["results"] == [] and expected["notice"]["code"] == "no_list_loaded"
    expect(widget.locator("[role=status]")).to_have_text(
        "No list of places for this care is loaded."
    )
    expect(widget.locator(".notice")).to_have_text(expected["notice"]["message"])
    expect(widget.locator(".notice")).to_contain_text("0800-5028")
    tab.shot("referrer-notice")
