"""The embeddable search widget: GET /widget.js (the <care-finder> element) and GET /embed.

widget.js is built once per process from three kinds of files in `directory_api/web/static/`:
`widget.src.js` (the element), `widget.css` (its Shadow DOM styles) and one
`widget.<lang>.json` per language (the texts; a new language is one more file). Texts a
language file lacks fall back to English. Built once per process: restart after editing.

/embed is an HTML page holding one <care-finder>, for sites that can only paste an iframe.
It takes the same options as query parameters and answers invalid ones with a 422 in the
API's error shape (the webmaster sees it at once when trying the snippet, instead of a
widget that quietly searches for something else). It runs under a strict
Content-Security-Policy: no inline script, the widget's styles only by hash, requests only
to this API.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Blueprint, Response, jsonify, render_template, request
from marshmallow import fields, validate

from directory_api.models import CARE_CODES, LANGUAGES, SCHEMES
from directory_api.web.errors import error_body

bp = Blueprint("widget", __name__, template_folder="../templates")

STATIC = Path(__file__).resolve().parent.parent / "static"
FALLBACK_LANG = "en"  # texts missing from a language file come from this one
DEFAULT_LANG = "nl"  # when neither the page nor the visitor asks for a supported language
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
PLACEHOLDER = "__CARE_FINDER_CONFIG__"

# Shown when nothing is found within reach. Numbers from the Dokters van de Wereld leaflet
# (/work/shared/seeds/000_9953ec890d00b27c.txt): its helpdesk for questions about access to
# care, and the CAK. The label of each is the text `help_<key>` in the language files.
HELP_CONTACTS = (
    {"key": "dvdw", "phone": "020 408 34 24"},
    {"key": "cak", "phone": "0800 5028"},
)


@dataclass(frozen=True)
class Bundle:
    """widget.js as served, with what /embed needs to know about it."""

    script: bytes
    script_gzip: bytes
    etag: str
    style_hash: str  # CSP source for the widget's <style> fallback: 'sha256-...'
    texts: dict[str, dict[str, Any]]  # lang -> texts (English filled in where missing)


def load_texts(folder: Path = STATIC) -> dict[str, dict[str, Any]]:
    """Every `widget.<lang>.json`, each completed with the English texts it lacks."""
    found = {}
    for path in sorted(folder.glob("widget.*.json")):
        lang = path.name.split(".")[1]
        found[lang] = {k: v for k, v in json.loads(path.read_text("utf-8")).items() if k[0] != "_"}
    base = found[FALLBACK_LANG]
    return {lang: {**base, **texts} for lang, texts in found.items()}


@cache
def bundle() -> Bundle:
    """Build widget.js once: the element's source with its CSS, texts and API vocabulary."""
    css = (STATIC / "widget.css").read_text("utf-8")
    texts = load_texts()
    config = {
        "texts": texts,
        "css": css,
        "care": list(CARE_CODES),
        "schemes": list(SCHEMES),
        "apiLangs": list(LANGUAGES),
        "defaultLang": DEFAULT_LANG,
        "defaultLimit": DEFAULT_LIMIT,
        "maxLimit": MAX_LIMIT,
        "help": list(HELP_CONTACTS),
    }
    source = (STATIC / "widget.src.js").read_text("utf-8")
    literal = json.dumps(config, ensure_ascii=False, separators=(",", ":"))
    script = source.replace(PLACEHOLDER, literal, 1).encode("utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return Bundle(
        script=script,
        script_gzip=gzip.compress(script, compresslevel=9, mtime=0),
        etag=hashlib.sha256(script).hexdigest()[:20],
        style_hash=f"'sha256-{digest}'",
        texts=texts,
    )


@bp.get("/widget.js")
def script() -> Response:
    """The <care-finder> custom element, self-contained (gzip when the client accepts it)."""
    b = bundle()
    zipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(b.script_gzip if zipped else b.script, mimetype="text/javascript")
    if zipped:
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(b.etag + ("-gz" if zipped else ""))
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.vary.add("Accept-Encoding")
    response.make_conditional(request)
    return response


class EmbedArgsSchema(ma.Schema):
    """/embed options: the attributes of <care-finder> (`api` excepted: it is this server)."""

    class Meta:
        unknown = ma.RAISE

    care = fields.String(validate=validate.OneOf(CARE_CODES))
    lang = fields.String()
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))
    scheme = fields.String(load_default="uninsurable", validate=validate.OneOf(SCHEMES))
    max_km = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=1000))

    @ma.validates("lang")
    def _lang(self, value: str, **_: Any) -> None:
        validate.OneOf(sorted(bundle().texts))(value)


EMBED_ARGS = EmbedArgsSchema()


@bp.get("/embed")
def embed() -> Any:
    """An iframe-able page with one <care-finder>, configured by the query string."""
    b = bundle()
    # An empty value (care=) means "not given": the visitor chooses the care type.
    given = {k: v for k, v in request.args.items() if v != ""}
    try:
        args = EMBED_ARGS.load(given)
    except ma.ValidationError as error:
        flat = {k: [str(m) for m in v] for k, v in error.normalized_messages().items()}
        name, msgs = next(iter(flat.items()))
        message = f"invalid embed option: {name}: {msgs[0]}"
        return jsonify(error_body(422, "Unprocessable Entity", message, flat)), 422
    lang = args.get("lang") or request.accept_languages.best_match(sorted(b.texts)) or DEFAULT_LANG
    attrs = {
        "lang": lang,
        "care": args.get("care"),
        "scheme": args["scheme"],
        "limit": args["limit"],
        "max-km": args.get("max_km"),
    }
    html = render_template(
        "embed.html",
        lang=lang,
        dir=b.texts[lang].get("dir", "ltr"),
        texts=b.texts[lang],
        attrs={k: v for k, v in attrs.items() if v is not None},
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = embed_csp(b)
    response.headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()"
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept-Language")
    return response


def embed_csp(b: Bundle) -> str:
    """Nothing inline but the widget's hashed styles; no host but this one.

    No frame-ancestors: any site may frame the page (that is what it is for).
    """
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            f"style-src {b.style_hash}",
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
