"""Browser fixtures: the API and a support organisation's site on two origins, and Chromium.

Both servers are werkzeug in background threads on free ports of 127.0.0.1; the API has a
temporary SQLite store with the small CSV below and the real geodata (tests/conftest.py).
Chromium is Debian's (`make browser`), driven by Playwright; never a downloaded browser.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from directory_api import create_app
from directory_api.imports.pipeline import import_file
from tests.conftest import have_real_geodata, real_geodata_dir

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
TIMEOUT_MS = 10_000

# Pharmacies around Utrecht (two contracted, one not) and in Amsterdam (placed by postcode),
# a GP, two hospitals (one contracted) and a support organisation. No long-term care
# institution: that search finds nothing.
PROVIDERS = [
    {
        "name": "Apotheek Domplein (test)",
        "category": "pharmacy",
        "cak_contracted": "true",
        "street": "Domplein",
        "house_number": "1",
        "postcode": "3512 JE",
        "city": "Utrecht",
        "phone": "030 123 4567",
        "website": "https://apotheek.example.org",
        "opening_hours": "ma-vr 8-18",
        "lat": "52.0908",
        "lon": "5.1215",
    },
    {
        "name": "Apotheek Oost (test)",
        "category": "pharmacy",
        "cak_contracted": "true",
        "street": "Biltstraat",
        "house_number": "30",
        "postcode": "3572 AB",
        "city": "Utrecht",
        "phone": "030 765 4321",
        "lat": "52.0940",
        "lon": "5.1350",
    },
    {
        "name": "Apotheek Zuid (test)",
        "category": "pharmacy",
        "cak_contracted": "false",
        "street": "Laan",
        "house_number": "2",
        "postcode": "3521 AB",
        "city": "Utrecht",
        "phone": "030 000 0003",
        "lat": "52.0800",
        "lon": "5.1100",
    },
    {
        "name": "Apotheek Dam (test)",
        "category": "pharmacy",
        "cak_contracted": "true",
        "street": "Dam",
        "house_number": "1",
        "postcode": "1012 JS",
        "city": "Amsterdam",
        "phone": "020 111 2222",
    },
    {
        "name": "Huisartsenpraktijk Centrum (test)",
        "category": "gp",
        "street": "Oudegracht",
        "house_number": "10",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "phone": "030 222 3333",
        "lat": "52.0920",
        "lon": "5.1190",
    },
    {
        "name": "Ziekenhuis Test West",
        "category": "hospital",
        "cak_contracted": "true",
        "street": "Hof",
        "house_number": "5",
        "postcode": "3543 AZ",
        "city": "Utrecht",
        "phone": "030 444 5555",
        "lat": "52.1000",
        "lon": "5.0500",
    },
    {
        "name": "Ziekenhuis Test Noord",
        "category": "hospital",
        "cak_contracted": "false",
        "street": "Hof",
        "house_number": "4",
        "postcode": "3584 CX",
        "city": "Utrecht",
        "phone": "030 666 7777",
        "lat": "52.0870",
        "lon": "5.1790",
    },
    {
        "name": "Steunpunt Test Utrecht",
        "category": "support_organisation",
        "street": "Straat",
        "house_number": "5",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "phone": "030 999 0000",
        "email": "info@steunpunt.example.org",
    },
]


def providers_csv() -> bytes:
    """PROVIDERS as the CSV a support organisation would upload."""
    columns = [
        "name",
        "category",
        "cak_contracted",
        "street",
        "house_number",
        "postcode",
        "city",
        "phone",
        "website",
        "email",
        "opening_hours",
        "lat",
        "lon",
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(PROVIDERS)
    return out.getvalue().encode("utf-8")


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def serve(wsgi_app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app on a free port of 127.0.0.1 until the block ends; yields its origin."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Api:
    url: str

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).netloc

    def search(self, **params: Any) -> dict[str, Any]:
        """What the API answers, fetched directly (to compare with what the widget shows)."""
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}/v1/search?{query}", timeout=10) as response:
            return json.load(response)


@dataclass
class HostSite:
    """A support organisation's website on another origin: pages are set by the tests."""

    url: str = ""
    pages: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).netloc

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        page = self.pages.get(environ["PATH_INFO"])
        if page is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
        )
        return [page.encode("utf-8")]

    def page(
        self, name: str, body: str, *, lang: str = "en", dir: str = "ltr", css: str = ""
    ) -> str:
        """Publish a host page holding `body`; returns its URL."""
        self.pages[f"/{name}.html"] = f"""<!doctype html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Steunpunt (test host page)</title>
<style>body {{ font-family: Georgia, serif; margin: 1rem; }} {css}</style></head>
<body><h1>Steunpunt Test</h1><p>Medische zorg zonder verblijfsvergunning.</p>
{body}
</body></html>"""
        return f"{self.url}/{name}.html"

    def widget_page(self, name: str, api: Api, attrs: str = "", **kwargs: Any) -> str:
        """A host page with <care-finder> and the script from the API, as the README says."""
        body = f'<care-finder {attrs}></care-finder>\n<script src="{api.url}/widget.js"></script>'
        return self.page(name, body, **kwargs)


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if not have_real_geodata():
        pytest.skip(f"real geodata not fetched into {real_geodata_dir()}: run 'make geodata'")
    tmp = tmp_path_factory.mktemp("widget-api")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp / 'directory.sqlite3'}",
            "DIRECTORY_INSTANCE_PATH": str(tmp / "instance"),
            "DIRECTORY_GEODATA_PATH": str(real_geodata_dir()),
        }
    )
    services = app.extensions["directory"]
    import_file(services, providers_csv(), source_name="Widget test list")
    try:
        with serve(app) as url:
            yield Api(url)
    finally:
        services.store.dispose()


@pytest.fixture(scope="session")
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    with serve(site) as url:
        site.url = url
        yield site


@pytest.fixture(scope="session")
def browser(api: Api, host_site: HostSite) -> Iterator[Any]:
    """Chromium for the session; it closes before the servers (it depends on them)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: run 'make browser'")
        pytest.skip(f"{CHROMIUM} is missing: run 'make browser' (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    """A page plus what happened on it: every request, console message and script error."""

    page: Any
    requests: list[Any] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        return {urllib.parse.urlsplit(r.url).netloc for r in self.requests}

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def open_tab(browser: Any, api: Api, host_site: HostSite) -> Iterator[Callable[..., Tab]]:
    """Open a page in a fresh context (own cookies, storage, permissions) and record it.

    After the test: no uncaught script error, and no request left for a host other than the
    API, the host site or a host the test allowed (`allow`).
    """
    opened: list[tuple[Any, Tab, set[str]]] = []

    def factory(allow: tuple[str, ...] = (), **context_options: Any) -> Tab:
        options = {"viewport": {"width": 1024, "height": 768}, "locale": "en-GB", **context_options}
        context = browser.new_context(service_workers="block", **options)
        context.set_default_timeout(TIMEOUT_MS)
        tab = Tab(context.new_page())
        tab.page.on("request", lambda request: tab.requests.append(request))
        tab.page.on("response", lambda response: tab.responses.append(response))
        tab.page.on("console", lambda message: tab.console.append(message.text))
        tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
        opened.append((context, tab, {api.host, host_site.host, *allow}))
        return tab

    yield factory
    for context, tab, allowed in opened:
        context.close()
        assert not tab.errors, tab.errors
        assert tab.hosts() <= allowed, tab.hosts() - allowed
