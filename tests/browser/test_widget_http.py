"""GET /widget.js and GET /embed over HTTP (no browser): size, headers, options, texts."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re

import pytest

from directory_api.models import LANGUAGES
from directory_api.web.views.widget import STATIC, load_texts
from tests.helpers import assert_error_shape

MAX_GZIP_BYTES = 20 * 1024


def test_widget_script_is_small_and_self_contained(client):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    body = response.get_data()
    assert len(gzip.compress(body, compresslevel=9)) < MAX_GZIP_BYTES
    text = body.decode("utf-8")
    assert "__CARE_FINDER_CONFIG__" not in text
    assert "customElements.define(TAG, CareFinder)" in text
    assert "attachShadow" in text
    # No third-party host is ever requested: the only absolute URL is the directions link.
    hosts = set(re.findall(r"https?://([^/\"'`\s]+)", text))
    assert hosts <= {"www.openstreetmap.org"}, hosts
    assert (
        "localStorage" not in text
        and "sessionStorage" not in text
        and "document.cookie" not in text
    )


def test_widget_script_headers_gzip_and_etag(client):
    plain = client.get("/widget.js")
    assert plain.headers["Access-Control-Allow-Origin"] == "*"
    assert plain.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Set-Cookie" not in plain.headers
    assert "public" in plain.headers["Cache-Control"]
    zipped = client.get("/widget.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert len(zipped.get_data()) < MAX_GZIP_BYTES
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    again = client.get("/widget.js", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_search_preflight_is_answered(client):
    response = client.options(
        "/v1/search?care=pharmacy&near=3511",
        headers={
            "Origin": "https://steunpunt.example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept-language",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "Accept-Language" in response.headers["Access-Control-Allow-Headers"]


def test_embed_page_and_its_csp(client):
    response = client.get("/embed?care=pharmacy&lang=en&limit=3&max_km=25")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert '<script src="/widget.js" defer></script>' in html
    assert (
        '<care-finder lang="en" care="pharmacy" scheme="uninsurable" limit="3" max-km="25.0">'
        in html
    )
    assert "<style" not in html and "style=" not in html and "<script>" not in html
    csp = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    css = (STATIC / "widget.css").read_bytes()
    digest = base64.b64encode(hashlib.sha256(css).digest()).decode()
    assert csp == {
        "default-src": "'none'",
        "script-src": "'self'",
        "connect-src": "'self'",
        "style-src": f"'sha256-{digest}'",
        "img-src": "'self'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    assert "X-Frame-Options" not in response.headers  # meant to be framed by any site
    assert "Set-Cookie" not in response.headers


def test_embed_defaults_let_the_visitor_choose(client):
    html = client.get("/embed?care=", headers={"Accept-Language": "fr, en;q=0.8"}).get_data(
        as_text=True
    )
    assert '<care-finder lang="en" scheme="uninsurable" limit="5">' in html
    html = client.get("/embed").get_data(as_text=True)
    assert '<html lang="nl" dir="ltr">' in html
    assert "<title>Vind zorg die betaald wordt</title>" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("care=acupuncture", "care"),
        ("lang=xx", "lang"),
        ("limit=0", "limit"),
        ("limit=51", "limit"),
        ("limit=many", "limit"),
        ("scheme=tourist", "scheme"),
        ("max_km=-1", "max_km"),
        ("api=https://elsewhere.example.org", "api"),
        ("near=3511", "near"),
    ],
)
def test_embed_rejects_bad_options_in_the_error_shape(client, query, field):
    body = assert_error_shape(client.get(f"/embed?{query}"), 422, field)
    assert body["message"].startswith(f"invalid embed option: {field}")


def test_every_language_file_is_complete():
    english = json.loads((STATIC / "widget.en.json").read_text("utf-8"))
    keys = {k for k in english if not k.startswith("_")}
    placeholders = {k: set(re.findall(r"\{(\w+)\}", json.dumps(english[k]))) for k in keys}
    files = sorted(STATIC.glob("widget.*.json"))
    assert {f.name for f in files} >= {"widget.nl.json", "widget.en.json"}
    for path in files:
        texts = json.loads(path.read_text("utf-8"))
        assert {k for k in texts if not k.startswith("_")} == keys, path.name
        assert texts["api_lang"] in LANGUAGES and texts["dir"] in {"ltr", "rtl"}
        for key, value in texts.items():
            if key in placeholders:
                found = set(re.findall(r"\{(\w+)\}", json.dumps(value)))
                assert found == placeholders[key], (path.name, key)


def test_missing_texts_fall_back_to_english(tmp_path):
    for name in ("widget.en.json", "widget.nl.json"):
        (tmp_path / name).write_bytes((STATIC / name).read_bytes())
    (tmp_path / "widget.fr.json").write_text(
        json.dumps({"_about": "partial", "name": "Français", "title": "Trouver des soins"}),
        encoding="utf-8",
    )
    texts = load_texts(tmp_path)
    assert sorted(texts) == ["en", "fr", "nl"]
    assert texts["fr"]["title"] == "Trouver des soins"
    assert texts["fr"]["search"] == texts["en"]["search"]
    assert "_about" not in texts["fr"]
