"""The referral sheet: GET /v1/referral (JSON) and GET /referral (a printable HTML page).

Several kinds of care from one origin, resolved once: one section per care type, in the
order asked, each as a search would answer it (results, advice, referral) with at most
`per_care` places and a `notice` when it has none (search/sheet.py assembles them).

/referral is the same sheet for the patient to take along: A4 print styles, the helpdesk
numbers of the Dokters van de Wereld leaflet (seed 000_9953ec890d00b27c.txt, the widget's
HELP_CONTACTS), no script, nothing from another host (Content-Security-Policy), nothing
kept. Its texts are the widget's (static/widget.<lang>.json) plus the few below.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import Response, jsonify, render_template, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from directory_api.models import Origin
from directory_api.search.rules import Text, encode
from directory_api.search.sheet import Section, sections
from directory_api.web.context import get_services, request_directory
from directory_api.web.errors import error_body
from directory_api.web.readpath import this_minute
from directory_api.web.referral_query import fast_referral_first
from directory_api.web.schemas_referral import ReferralArgsSchema, ReferralSchema
from directory_api.web.search_encoding import query_json, status_json
from directory_api.web.views import widget
from directory_api.web.views.search import resolve_origin

blp = Blueprint("referral", __name__, url_prefix="/v1", description="Referral sheet")
page_bp = FlaskBlueprint("referral_page", __name__, template_folder="../templates")

REFERRAL_ARGS = ReferralArgsSchema()
CSS_FILE = Path(__file__).resolve().parent.parent / "static" / "referral.css"
PRIVATE = "private, max-age=300"  # a sheet names where one person is; shared caches keep none

# The sheet's own texts; the rest (badges, terms, helpdesk labels) are the widget's.
TEXTS = {
    "nl": {
        "title": "Verwijsblad: zorg die vergoed wordt",
        "intro": "De dichtstbijzijnde plaatsen waar deze zorg vergoed wordt als u geen "
        "verblijfsvergunning heeft en zich niet kunt verzekeren (regeling van het CAK).",
        "from": "Afstanden hemelsbreed vanaf {place}.",
        "from_point": "Afstanden hemelsbreed vanaf het opgegeven punt.",
        "help_title": "Vragen over toegang tot zorg",
        "data": "Gegevens: versie {version} van de lijsten.",
        "privacy": "Deze zoekopdracht wordt niet bewaard.",
        "only": "Alleen vergoed:",
    },
    "en": {
        "title": "Referral sheet: care that is paid for",
        "intro": "The nearest places where this care is paid for if you have no residence "
        "permit and cannot take out health insurance (the CAK scheme).",
        "from": "Distances as the crow flies from {place}.",
        "from_point": "Distances as the crow flies from the given point.",
        "help_title": "Questions about access to care",
        "data": "Data: version {version} of the lists.",
        "privacy": "This search is not stored.",
        "only": "Only paid for:",
    },
}


def build(args: dict[str, Any]) -> tuple[Any, Origin, list[Section]]:
    """The directory, the origin (resolved once) and the sheet's sections."""
    services = get_services()
    directory = request_directory(args.get("as_of"), services)
    origin = resolve_origin(services, args)
    at = args.get("open_at")
    if at is None:  # now, to the minute (the ETag says which minute: web/readpath.py)
        at = this_minute()
    found = sections(
        directory,
        services.rules,
        origin,
        args["care"],
        scheme=args["scheme"],
        lang=args["lang"],
        per_care=args["per_care"],
        at=at,
        only_open=bool(args.get("open_now")) or "open_at" in args,
        age_group=args.get("age_group"),
        max_km=args.get("max_km"),
    )
    return directory, origin, found


def referral_json(
    args: dict[str, Any], origin: Origin, directory: Any, found: list[Section]
) -> bytes:
    """The body, from the fragments a search answer is made of (web/search_encoding.py)."""
    lang = args["lang"]
    text = directory.json_bytes
    # The search's query JSON (web/search_encoding.py), with the sheet's care list and
    # per_care in place of its care and limit.
    searched = query_json({**args, "care": "", "limit": 0}, origin)
    rest = searched[searched.index(b',"max_km"') :]
    query = b'{"care":%b,"scheme":"%s","lang":"%s","per_care":%d%b' % (
        encode(list(args["care"])),
        args["scheme"].encode(),
        lang.encode(),
        args["per_care"],
        rest,
    )
    parts = []
    for section in found:
        results = b",".join(
            b'{"provider":%b,"distance_km":%r%b%b'
            % (text(item), km, status_json(state), terms.terms_json[lang])
            for (item, km, terms), state in zip(
                section.timed.found, section.timed.statuses, strict=True
            )
        )
        parts.append(
            b'{"care":"%s",%b,"notice":%b,"results":[%b]}'
            % (
                section.care.encode(),
                section.rule.advice_json[lang],
                b"null" if section.notice is None else encode(section.notice),
                results,
            )
        )
    return b'{"query":%b,"data_version":%d,"sections":[%b]}' % (
        query,
        directory.data_version,
        b",".join(parts),
    )


def answer(args: dict[str, Any]) -> Response:
    """The /v1/referral response for validated arguments."""
    directory, origin, found = build(args)
    response = Response(referral_json(args, origin, directory, found), mimetype="application/json")
    return response


@blp.route("/referral")
class Referral(MethodView):
    init_every_request = False

    @fast_referral_first(answer)  # a plainly valid query skips webargs (web/referral_query.py)
    @blp.arguments(REFERRAL_ARGS, location="query", unknown=RAISE)
    @blp.response(200, ReferralSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Several kinds of care from one origin: one section per care type, in order."""
        return answer(args)


@cache
def sheet_css() -> tuple[str, str]:
    """The page's styles and their CSP hash ('sha256-...')."""
    css = CSS_FILE.read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return css, f"'sha256-{digest}'"


def page_csp(style_hash: str) -> str:
    """No script at all, nothing from another host, the one inline style by its hash."""
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {style_hash}",
            "img-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
        )
    )


@page_bp.get("/referral")
def referral_page() -> Any:
    """The sheet as a printable page (A4), in Dutch or English."""
    try:
        args = REFERRAL_ARGS.load(request.args.to_dict())
    except ma.ValidationError as error:
        flat = {k: [str(m) for m in v] for k, v in error.normalized_messages().items()}
        name, msgs = next(iter(flat.items()))
        return jsonify(error_body(422, "Unprocessable Entity", f"{name}: {msgs[0]}", flat)), 422
    directory, origin, found = build(args)
    lang = args["lang"]
    rules = get_services().rules
    css, style_hash = sheet_css()
    html = render_template(
        "referral.html",
        lang=lang,
        css=css,
        texts={**widget.bundle().texts[lang], **TEXTS[lang]},
        origin=origin,
        data_version=directory.data_version,
        sections=[_section_view(s, lang, directory, rules) for s in found],
        help=widget.HELP_CONTACTS,
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = page_csp(style_hash)
    response.headers["Cache-Control"] = PRIVATE
    return response


def badge(cak_contracted: bool | None, basis: str) -> str | None:
    """The widget's badge text key for a result (as widget.src.js _badge decides it)."""
    if basis == "cak_contract" or (basis == "cak" and cak_contracted is True):
        return "badge_contract"
    if basis == "cak":
        return "badge_no_contract" if cak_contracted is False else None
    return "badge_" + basis


def _section_view(section: Section, lang: str, directory: Any, rules: Any) -> dict[str, Any]:
    care_type = rules.care_types[section.care]
    referral: Text | None = section.rule.referral
    return {
        "care": section.care,
        "label": care_type.label.get(lang),
        "advice": [t.get(lang) for t in section.rule.advice],
        "referral": referral.get(lang) if referral else None,
        "notice": section.notice,
        "results": [
            {
                "provider": directory.providers[item],
                "km": f"{km:.1f}".replace(".", "," if lang == "nl" else "."),
                "terms": terms.reimbursement(lang),
                "badge": badge(directory.providers[item].cak_contracted, terms.basis),
            }
            for item, km, terms in section.found
        ],
    }
