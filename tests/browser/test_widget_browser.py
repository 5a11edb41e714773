"""<care-finder> and /embed end to end in headless Chromium (screenshots in tests/artifacts/)."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Api, HostSite, closed_port

pytestmark = pytest.mark.browser

DISTANCE = re.compile(r"^(?:less than 1 km|about (\d+(?:\.\d)?) km|(\d+(?:\.\d)?) km)$")

# The element focused right now, through shadow roots: its data-k key, else tag and text.
DEEP_FOCUS = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el) return null;
  return (el.dataset && el.dataset.k) || el.tagName.toLowerCase() + ":" + el.textContent.trim();
}"""

# WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST = """el => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let n = el; n && !bg; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length < 4 || c[3] === 1) bg = c;
  }
  const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg || [255, 255, 255])];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


RECORD_CSP_VIOLATIONS = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective));"
)


def search_requests(tab) -> list[dict[str, str]]:
    return [
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.url).query))
        for r in tab.requests
        if "/v1/search" in r.url
    ]


def search(page: Page, near: str) -> None:
    widget = page.locator("care-finder")
    widget.get_by_label(re.compile("Postcode or place|Postcode of plaats")).fill(near)
    widget.get_by_role("button", name=re.compile("^(Search|Zoeken)$")).click()


def test_postcode_search_lists_results_in_distance_order(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    tab.page.goto(host_site.widget_page("results", api, 'care="pharmacy" lang="en"'))
    widget = tab.page.locator("care-finder")
    expect(widget.get_by_text("Kind of care: Pharmacy (medicines)")).to_be_visible()
    tab.shot("idle")
    search(tab.page, "3511 AB")

    expected = api.search(care="pharmacy", near="3511 AB", lang="en", limit=5)
    names = [r["provider"]["name"] for r in expected["results"]]
    assert names[:2] == ["Apotheek Domplein (test)", "Apotheek Oost (test)"]
    assert "Apotheek Zuid (test)" not in names  # no CAK contract: not paid for medicines
    cards = widget.locator("li.card")
    expect(cards.locator("h3")).to_have_text(names)
    status = widget.locator("[aria-live=polite]")
    expect(status).to_have_text(f"{len(names)} places found, nearest first.")
    expect(widget.locator(".origin")).to_have_text("Distances from 3511 Utrecht.")

    shown = [
        float(m.group(1) or m.group(2) or 0) for m in map(DISTANCE.match, _texts(cards, ".dist"))
    ]
    for km, result in zip(shown, expected["results"], strict=True):
        assert km == 0 or abs(km - result["distance_km"]) <= 0.051
    assert shown == sorted(shown)

    first, first_result = cards.first, expected["results"][0]
    expect(first.locator(".addr")).to_have_text("Domplein 1, 3512 JE Utrecht")
    expect(first.locator(".badge")).to_have_text("Contract with the CAK")
    # The list said "030 123 4567": served in E.164, which the call link dials exactly
    expect(first.get_by_role("link", name="Call +31301234567")).to_have_attribute(
        "href", "tel:+31301234567"
    )
    route = first.get_by_role("link", name=re.compile("^Route"))
    expect(route).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/directions\?to=52\.0908")
    )
    expect(route).to_have_attribute("target", "_blank")
    expect(first.locator(".terms")).to_contain_text(
        first_result["reimbursement"]["patient_contribution"]
    )
    expect(first.locator(".terms")).to_contain_text(first_result["reimbursement"]["conditions"][0])
    expect(first.get_by_text("Opening hours: Mo-Fr 08:00-18:00")).to_be_visible()  # "ma-vr 8-18"
    expect(widget.locator(".referral")).to_contain_text(expected["referral"])
    expect(widget.locator("details summary")).to_have_text(
        f"Good to know ({len(expected['advice'])} tips)"
    )

    sent = search_requests(tab)
    assert sent == [
        {"care": "pharmacy", "scheme": "uninsurable", "lang": "en", "limit": "5", "near": "3511 AB"}
    ]
    tab.shot("results-desktop")


def _texts(cards, selector: str) -> list[str]:
    return [cards.nth(i).locator(selector).inner_text() for i in range(cards.count())]


def test_other_origin_host_page_no_third_party_requests_no_cookies(
    open_tab, api: Api, host_site: HostSite
):
    tab = open_tab()
    tab.page.goto(host_site.widget_page("cors", api, 'lang="en"'))
    widget = tab.page.locator("care-finder")
    widget.get_by_label("Kind of care").select_option("pharmacy")
    search(tab.page, "Utrecht")
    expect(widget.locator("li.card").first).to_be_visible()

    assert tab.hosts() == {api.host, host_site.host}
    api_calls = [r for r in tab.responses if r.url.startswith(api.url + "/v1/")]
    assert {urllib.parse.urlsplit(r.url).path for r in api_calls} == {
        "/v1/care-types",
        "/v1/search",
    }
    for response in api_calls:
        assert response.headers["access-control-allow-origin"] == "*"
        sent = response.request.all_headers()
        assert sent.get("origin") == host_site.url  # a real cross-origin (CORS) request
        assert not sent.get("referer") and "cookie" not in sent
    assert not [r.url for r in tab.responses if "set-cookie" in r.headers]
    assert tab.page.context.cookies() == []
    storage = "() => [localStorage.length, sessionStorage.length, document.cookie]"
    assert tab.page.evaluate(storage) == [0, 0, ""]
    near = widget.get_by_label("Postcode or place")
    expect(near).to_have_attribute("autocomplete", "off")
    # A request with a header outside the CORS safelist makes the browser send a preflight.
    preflighted = tab.page.evaluate(
        "url => fetch(url, {headers: {'If-None-Match': 'x'}}).then(r => r.status)",
        f"{api.url}/v1/search?care=pharmacy&near=3511",
    )
    assert preflighted == 200


def test_switch_language(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    tab.page.goto(host_site.widget_page("lang", api, 'care="pharmacy" lang="nl"', lang="nl"))
    widget = tab.page.locator("care-finder")
    expect(widget.get_by_role("heading", level=2)).to_have_text("Vind zorg die betaald wordt")
    search(tab.page, "3511")
    expect(widget.locator("[aria-live=polite]")).to_have_text(re.compile("plekken gevonden"))
    nl_advice = api.search(care="pharmacy", near="3511", lang="nl")["advice"]
    expect(widget.locator("details li").first).to_have_text(nl_advice[0])
    tab.shot("language-nl")

    widget.get_by_role("button", name="English").click()
    expect(widget.get_by_role("heading", level=2)).to_have_text("Find care that is paid for")
    expect(widget.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(widget.get_by_label("Postcode or place")).to_have_value("3511")
    en_advice = api.search(care="pharmacy", near="3511", lang="en")["advice"]
    expect(widget.locator("details li").first).to_have_text(en_advice[0])
    expect(widget.locator("[aria-live=polite]")).to_have_text(re.compile("places found"))
    assert [q["lang"] for q in search_requests(tab)] == ["nl", "en"]
    tab.shot("language-en")

    # The attribute is the switch, for host pages with their own language menu.
    widget.evaluate("el => el.setAttribute('lang', 'nl')")
    expect(widget.get_by_role("button", name="Zoeken")).to_be_visible()


def test_unknown_postcode_says_so(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    tab.page.goto(host_site.widget_page("unknown", api, 'care="pharmacy" lang="en"'))
    widget = tab.page.locator("care-finder")
    search(tab.page, "1000")
    near = widget.get_by_label("Postcode or place")
    message = "“1000” was not found. Check the postcode or the name of the place."
    expect(widget.locator("#cf-near-err")).to_contain_text(message)
    expect(near).to_have_attribute("aria-invalid", "true")
    expect(near).to_be_focused()
    expect(widget.locator("[aria-live=polite]")).to_contain_text(message)  # announced too
    expect(widget.locator("li.card")).to_have_count(0)
    tab.shot("unknown-postcode")

    near.fill("3511")
    near.press("Enter")
    expect(widget.locator("li.card").first).to_be_visible()
    expect(near).not_to_have_attribute("aria-invalid", "true")
    expect(widget.locator("#cf-near-err")).to_be_hidden()


def test_api_unreachable_then_retry(open_tab, api: Api, host_site: HostSite):
    down = f"http://127.0.0.1:{closed_port()}"
    tab = open_tab(allow=(urllib.parse.urlsplit(down).netloc,))
    tab.page.goto(host_site.widget_page("down", api, f'care="pharmacy" lang="en" api="{down}"'))
    widget = tab.page.locator("care-finder")
    search(tab.page, "3511 AB")
    status = widget.locator("[aria-live=polite]")
    expect(status).to_have_text(re.compile("^The search service cannot be reached right now"))
    retry = widget.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    expect(widget.locator(".cf")).not_to_contain_text("null")
    assert all(r.url.startswith(down) for r in tab.requests if "/v1/" in r.url)
    tab.shot("api-unreachable")

    retry.click()  # still down: the same message, and focus stays in the widget
    expect(retry).to_be_visible()
    widget.evaluate("(el, url) => el.setAttribute('api', url)", api.url)  # back up
    widget.get_by_role("button", name="Try again").click()
    expect(widget.locator("li.card").first).to_be_visible()


def test_keyboard_only(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    page = tab.page
    page.goto(host_site.widget_page("keyboard", api, 'lang="nl"', lang="nl"))
    widget = page.locator("care-finder")
    expect(widget.get_by_label("Soort zorg").locator("option")).not_to_have_count(1)

    def tab_to(key: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(DEEP_FOCUS) == key:
                return
        raise AssertionError(f"{key} not reached with Tab; focus is on {page.evaluate(DEEP_FOCUS)}")

    tab_to("lang-en")
    page.keyboard.press("Enter")
    expect(widget.get_by_role("heading", level=2)).to_have_text("Find care that is paid for")
    assert page.evaluate(DEEP_FOCUS) == "lang-en"  # focus survives the redraw
    tab_to("care")
    select = widget.get_by_label("Kind of care")
    for _ in range(15):
        if select.input_value() == "pharmacy":
            break
        page.keyboard.press("ArrowDown")
    assert select.input_value() == "pharmacy"
    tab_to("near")
    page.keyboard.type("3511 AB")
    page.keyboard.press("Enter")
    expect(widget.locator("li.card").first).to_be_visible()

    tab_to("a:Call +31301234567")
    outline = widget.locator("li.card a").first.evaluate(
        "el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth]"
    )
    assert outline == ["solid", "3px"]
    tab.shot("keyboard-focus")
    tab_to("advice")
    page.keyboard.press("Enter")
    expect(widget.locator("details li").first).to_be_visible()


def test_use_my_location_sends_rounded_coordinates(open_tab, api: Api, host_site: HostSite):
    tab = open_tab(
        geolocation={"latitude": 52.0912345, "longitude": 5.1226789}, permissions=["geolocation"]
    )
    tab.page.goto(host_site.widget_page("locate", api, 'care="pharmacy" lang="en"'))
    widget = tab.page.locator("care-finder")
    widget.get_by_role("button", name="Use my location").click()
    expect(widget.locator(".origin")).to_have_text(
        "Distances from your location (rounded to about 100 m)."
    )
    query = search_requests(tab)[0]
    assert (query["lat"], query["lon"]) == ("52.091", "5.123")
    assert "near" not in query
    expect(widget.locator("li.card h3").first).to_have_text("Apotheek Domplein (test)")
    tab.shot("location")


def test_no_results_says_what_to_do(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    tab.page.goto(host_site.widget_page("none", api, 'care="long_term_care" lang="en"'))
    widget = tab.page.locator("care-finder")
    search(tab.page, "3511 AB")
    # No list of contracted Wlz institutions is loaded: the widget says so (issue 11).
    expect(widget.locator("[aria-live=polite]")).to_have_text(
        "No list of places for this care is loaded."
    )
    box = widget.locator(".box")
    expect(box.locator(".notice")).to_contain_text("Import the CAK list")
    expect(box).to_contain_text("A support organisation can help you find care.")
    expect(box.get_by_role("link", name="020 408 34 24")).to_have_attribute(
        "href", "tel:0204083424"
    )
    expect(box.get_by_role("link", name="0800 5028")).to_have_attribute("href", "tel:08005028")
    tab.shot("no-results")

    box.get_by_role("button", name="Find a support organisation nearby").click()
    card = widget.locator("li.card").first
    expect(card.locator("h3")).to_have_text("Steunpunt Test Utrecht")
    expect(card.get_by_role("link", name="E-mail: info@steunpunt.example.org")).to_be_visible()
    assert search_requests(tab)[-1]["care"] == "support"


def test_loading_state(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    held = []
    tab.page.route(f"{api.url}/v1/search?*", lambda route: held.append(route))
    tab.page.goto(host_site.widget_page("loading", api, 'care="pharmacy" lang="en"'))
    widget = tab.page.locator("care-finder")
    search(tab.page, "3511 AB")
    expect(widget.locator("[aria-live=polite]")).to_have_text("Searching…")
    expect(widget.locator(".out")).to_have_attribute("aria-busy", "true")
    tab.shot("loading")
    for _ in range(100):  # the route handler runs when Playwright next handles events
        if held:
            break
        tab.page.wait_for_timeout(50)
    assert len(held) == 1
    held[0].continue_()
    expect(widget.locator("li.card").first).to_be_visible()
    expect(widget.locator(".out")).to_have_attribute("aria-busy", "false")


def test_phone_width_320(open_tab, api: Api, host_site: HostSite):
    tab = open_tab(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    tab.page.goto(host_site.widget_page("phone", api, 'lang="en"'))
    widget = tab.page.locator("care-finder")
    widget.get_by_label("Kind of care").select_option("pharmacy")
    tab.shot("phone-idle")
    search(tab.page, "3511 AB")
    expect(widget.locator("li.card").first).to_be_visible()
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= 320
    for box in [
        widget.bounding_box(),
        *(c.bounding_box() for c in widget.locator("li.card").all()),
    ]:
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320
    fonts = widget.get_by_label("Postcode or place").evaluate("el => getComputedStyle(el).fontSize")
    assert fonts == "16px"  # no zoom-on-focus on phones
    tab.shot("phone-results")


def test_right_to_left_host_page(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    page = tab.page
    body = (
        '<p>مساعدة طبية</p><care-finder id="en" care="pharmacy" lang="en"></care-finder>'
        '<care-finder id="rtl" care="pharmacy" lang="en" dir="rtl"></care-finder>'
        f'<script src="{api.url}/widget.js"></script>'
    )
    page.goto(
        host_site.page("rtl", body, lang="ar", dir="rtl", css="care-finder { margin: 1rem 0; }")
    )
    for key in ("en", "rtl"):
        widget = page.locator(f"#{key}")
        widget.get_by_label("Postcode or place").fill("3511 AB")
        widget.get_by_role("button", name="Search").click()
        expect(widget.locator("li.card").first).to_be_visible()

    def style(key: str, selector: str, prop: str) -> str:
        return page.locator(f"#{key} {selector}").first.evaluate(
            f"el => getComputedStyle(el).{prop}"
        )

    # English text stays left-to-right inside the right-to-left page, aligned to its right edge.
    assert style("en", ".cf", "direction") == "ltr"
    page_right = page.evaluate("document.documentElement.clientWidth") - 16
    box = page.locator("#en .cf").bounding_box()
    assert box and abs(box["x"] + box["width"] - page_right) <= 1
    # dir="rtl" on the element mirrors the widget: the card's accent border moves right.
    assert style("rtl", ".cf", "direction") == "rtl"
    assert style("rtl", "li.card", "borderRightWidth") == "6px"
    assert style("en", "li.card", "borderLeftWidth") == "6px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    tab.shot("rtl")


def test_host_page_css_cannot_break_it(open_tab, api: Api, host_site: HostSite):
    hostile = (
        "* { color: #f0f !important; font-size: 9px !important; letter-spacing: 4px !important; }"
        " button, input, select, label { display: none !important; }"
        " care-finder * { visibility: hidden !important; }"
    )
    tab = open_tab()
    tab.page.goto(host_site.widget_page("hostile", api, 'care="pharmacy" lang="en"', css=hostile))
    widget = tab.page.locator("care-finder")
    search(tab.page, "3511 AB")
    expect(widget.locator("li.card").first).to_be_visible()
    button = widget.get_by_role("button", name="Search")
    styles = button.evaluate("el => [getComputedStyle(el).color, getComputedStyle(el).fontSize]")
    assert styles == ["rgb(255, 255, 255)", "16px"]
    tab.shot("hostile-host-css")


def test_text_contrast_meets_aa(open_tab, api: Api, host_site: HostSite):
    tab = open_tab()
    tab.page.goto(host_site.widget_page("contrast", api, 'care="emergency" lang="en"'))
    widget = tab.page.locator("care-finder")
    search(tab.page, "3511 AB")
    expect(widget.locator("li.card").first).to_be_visible()
    selectors = [
        "h2",
        ".intro",
        "label",
        ".hint",
        "button.primary",
        ".langs button[aria-pressed=true]",
        ".langs button[aria-pressed=false]",
        ".status",
        ".origin",
        ".dist",
        ".badge.good",
        ".badge.plain",
        ".terms p",
        ".links a",
        "summary",
        ".foot",
    ]
    for selector in selectors:
        ratio = widget.locator(selector).first.evaluate(CONTRAST)
        assert ratio >= 4.5, (selector, ratio)


def test_embed_page_works_under_its_csp(open_tab, api: Api):
    tab = open_tab()
    tab.page.add_init_script(RECORD_CSP_VIOLATIONS)
    response = tab.page.goto(f"{api.url}/embed?care=pharmacy&lang=en")
    assert response and response.ok
    csp = response.headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    widget = tab.page.locator("care-finder")
    search(tab.page, "3511 AB")
    expect(widget.locator("li.card").first).to_be_visible()
    expect(widget.locator("li.card").first).to_have_css("border-left-width", "6px")  # styled
    assert tab.page.evaluate("window.__csp") == []
    assert not [m for m in tab.console if "Content Security Policy" in m]
    assert tab.hosts() == {api.host}
    tab.shot("embed")


def test_embed_style_fallback_is_allowed_by_hash(open_tab, api: Api):
    """Browsers without constructable stylesheets get a <style>, which the CSP hash admits."""
    tab = open_tab()
    tab.page.add_init_script("delete CSSStyleSheet.prototype.replaceSync;" + RECORD_CSP_VIOLATIONS)
    tab.page.goto(f"{api.url}/embed?care=pharmacy&lang=nl")
    widget = tab.page.locator("care-finder")
    button = widget.get_by_role("button", name="Zoeken")
    expect(button).to_have_css("background-color", "rgb(10, 79, 145)")
    assert widget.evaluate("el => el.shadowRoot.querySelectorAll('style').length") == 1
    assert tab.page.evaluate("window.__csp") == []


def test_embed_in_an_iframe_on_another_site(open_tab, api: Api, host_site: HostSite):
    tab = open_tab(
        geolocation={"latitude": 52.0912, "longitude": 5.1210}, permissions=["geolocation"]
    )
    frame = (
        f'<iframe src="{api.url}/embed?care=pharmacy&amp;lang=en"'
        ' title="Find care that is paid for" allow="geolocation"'
        ' style="width: 100%; height: 720px; border: 0"></iframe>'
    )
    tab.page.goto(host_site.page("iframe", frame))
    embedded = tab.page.frame_locator("iframe").locator("care-finder")
    embedded.get_by_label("Postcode or place").fill("3511 AB")
    embedded.get_by_role("button", name="Search").click()
    expect(embedded.locator("li.card h3").first).to_have_text("Apotheek Domplein (test)")
    assert tab.page.context.cookies() == []
    tab.shot("embed-iframe")
    # allow="geolocation" on the iframe lets the embedded page ask for the location.
    embedded.get_by_role("button", name="Use my location").click()
    expect(embedded.locator(".origin")).to_have_text(
        "Distances from your location (rounded to about 100 m)."
    )
    assert search_requests(tab)[-1]["lat"] == "52.091"
