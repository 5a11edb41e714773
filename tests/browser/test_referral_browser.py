"""The printable referral sheet (/referral) in headless Chromium: printed to PDF it fits on two
A4 pages for three kinds of care, loads nothing from another host, breaks no CSP rule; and
the widget's "print referral sheet" link carries the current search."""

from __future__ import annotations

import io
import re
import urllib.parse

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, Api, HostSite

pytestmark = pytest.mark.browser

A4_POINTS = (595.3, 841.9)  # 210 x 297 mm
RECORD_CSP_VIOLATIONS = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective));"
)


def sheet_url(api: Api, **params: str) -> str:
    return f"{api.url}/referral?{urllib.parse.urlencode(params)}"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_three_kinds_of_care_print_on_at_most_two_a4_pages(open_tab, api: Api, lang: str):
    tab = open_tab()
    tab.page.add_init_script(RECORD_CSP_VIOLATIONS)
    url = sheet_url(api, care="pharmacy,hospital,gp", near="3511 AB", lang=lang, per_care="3")
    response = tab.page.goto(url)
    assert response is not None and response.status == 200
    expect(tab.page.locator("section.care")).to_have_count(3)
    expect(tab.page.locator("section.care h2").first).to_have_text(re.compile("Apotheek|Pharmacy"))
    expect(tab.page.locator("#care-pharmacy li").first).to_contain_text("Apotheek Domplein (test)")
    expect(tab.page.locator("footer")).to_contain_text("020 408 34 24")
    pdf = tab.page.pdf(format="A4", print_background=False)
    (ARTIFACTS / f"referral-{lang}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2, len(reader.pages)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, (width, height)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Apotheek Domplein (test)" in text and "Ziekenhuis Test West" in text
    assert tab.page.evaluate("window.__csp") == []
    assert tab.hosts() == {api.host}


def test_widget_offers_the_sheet_for_the_current_search(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    tab.page.goto(host_site.widget_page("print", api, 'care="pharmacy" lang="en"'))
    widget = tab.page.locator("care-finder")
    widget.get_by_label(re.compile("Postcode or place")).fill("3511 AB")
    widget.get_by_role("button", name="Search").click()
    link = widget.get_by_role("link", name=re.compile("^Print referral sheet"))
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href is not None
    parts = urllib.parse.urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{api.url}/referral"
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert query == {"care": "pharmacy", "scheme": "uninsurable", "lang": "en", "near": "3511 AB"}
    assert link.get_attribute("target") == "_blank"
    tab.shot("widget-print-link")
    with tab.page.context.expect_page() as opened:
        link.click()
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(sheet.locator("h1")).to_have_text("Referral sheet: care that is paid for")
    expect(sheet.locator("#care-pharmacy li").first).to_contain_text("Apotheek Domplein (test)")


def test_widget_link_speaks_dutch(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    tab.page.goto(host_site.widget_page("print-nl", api, 'care="pharmacy" lang="nl"', lang="nl"))
    widget = tab.page.locator("care-finder")
    widget.get_by_label(re.compile("Postcode of plaats")).fill("3511")
    widget.get_by_role("button", name="Zoeken").click()
    expect(widget.get_by_role("link", name=re.compile("^Verwijsblad printen"))).to_be_visible()
