"""Import-time address geocoding through geopy's Nominatim, against a recorded server on
127.0.0.1 (tests never reach the network)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from directory_api.geo.online import nominatim_geocoder
from directory_api.imports.pipeline import import_file

# Recorded shape of a Nominatim /search answer (format=json).
RECORDED = [
    {
        "place_id": 1,
        "lat": "52.0907374",
        "lon": "5.1214201",
        "display_name": "Domplein 1, Utrecht, Nederland",
        "type": "house",
    }
]


@pytest.fixture
def nominatim():
    queries: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            params = parse_qs(urlparse(self.path).query)
            queries.append(params["q"][0])
            body = json.dumps(RECORDED if "Domplein" in params["q"][0] else []).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}", queries
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_addresses_are_geocoded_when_configured(make_app, nominatim, geodata_dir):
    domain, queries = nominatim
    app = make_app(
        DIRECTORY_GEOCODER="nominatim",
        DIRECTORY_GEOCODER_DOMAIN=domain,
        DIRECTORY_GEOCODER_SCHEME="http",
        DIRECTORY_GEOCODER_MIN_DELAY=0.0,
    )
    services = app.extensions["directory"]
    if not services.gazetteer.available:
        pytest.skip("needs the real postcode table (make geodata)")
    csv = (
        b"naam;straat;huisnummer;postcode;plaats;categorie\n"
        b"Apotheek Dom;Domplein;1;3512 JE;Utrecht;apotheek\n"
        b"Apotheek Elders;Nergensstraat;9;3511 AB;Utrecht;apotheek\n"
        b"Apotheek Zonder Straat;;;3511 AB;Utrecht;apotheek\n"
    )
    import_file(services, csv, source_name="adressen")
    items = app.test_client().get("/v1/providers").get_json()["items"]
    by_name = {p["name"]: p for p in items}
    assert by_name["Apotheek Dom"]["location_precision"] == "address"
    assert by_name["Apotheek Dom"]["lat"] == pytest.approx(52.0907374)
    assert by_name["Apotheek Elders"]["location_precision"] == "postcode4"
    assert by_name["Apotheek Zonder Straat"]["location_precision"] == "postcode4"
    assert len(queries) == 2  # no street: no request
    assert all("Netherlands" in q or "Nederland" in q for q in queries)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_geocoder_by_default(app):
    assert app.extensions["directory"].online_geocoder is None


def test_nominatim_geocoder_asks_the_configured_server(nominatim):
    """The factory services use: an address in, the recorded point out, asked once."""
    domain, queries = nominatim
    geocoder = nominatim_geocoder(
        user_agent="directory-api-tests",
        domain=domain,
        scheme="http",
        timeout=5,
        min_delay_seconds=0.0,
    )
    assert geocoder.geocode_address("Domplein", "1", "3512 JE", "Utrecht") == pytest.approx(
        (52.0907374, 5.1214201)
    )
    assert geocoder.geocode_address("Domplein", "1", "3512 JE", "Utrecht") is not None
    assert geocoder.geocode_address("Nergensstraat", "9", None, "Utrecht") is None
    assert queries == [
        "Domplein 1, 3512 JE Utrecht, Netherlands",
        "Nergensstraat 9, Utrecht, Netherlands",
    ]
