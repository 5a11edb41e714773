"""The /v1/search response as bytes, assembled from JSON fragments encoded once: each
provider once per data version (Directory.json_bytes), each rule's advice and referral and
each eligibility's terms once per language (compiled when the rules load).

The reference is `schemas.SearchResultSchema().dump(...)` of the same results (what
`@blp.response` would serialise); tests/web/test_search_encoding.py holds the two equal.
"""

from __future__ import annotations

from typing import Any

from directory_api.models import Origin
from directory_api.search.directory import Directory
from directory_api.search.notice import Notice
from directory_api.search.rules import CareRule, Eligibility, encode


def search_json(
    args: dict[str, Any],
    origin: Origin,
    rule: CareRule,
    directory: Directory,
    found: list[tuple[int, float, Eligibility]],
    notice: Notice | None = None,
) -> bytes:
    """The whole body: the query as understood, the rule's advice, the data version, the
    results (ranking.nearest's (position, distance_km, terms)) in the language asked, and
    the notice saying why there are none (search.notice.empty_notice)."""
    lang = args["lang"]
    text = directory.json_bytes
    parts = [
        b'{"query":%b,%b,"data_version":%d,"results":['
        % (query_json(args, origin), rule.advice_json[lang], directory.data_version)
    ]
    for item, km, terms in found:
        parts += (
            b'{"provider":',
            text(item),
            b',"distance_km":',
            b"%r" % km,
            terms.terms_json[lang],
        )
        parts.append(b",")
    if found:
        parts.pop()
    parts.append(b'],"notice":%b}' % (b"null" if notice is None else encode(notice.as_dict())))
    return b"".join(parts)


def query_json(args: dict[str, Any], origin: Origin) -> bytes:
    """The query as understood, with its origin. care, scheme and lang are codes from fixed
    lists (fast_search_args and the schema admit no others), so only the label is escaped."""
    max_km, as_of, label = args.get("max_km"), args.get("as_of"), origin.label
    age = args.get("age_group")
    return (
        b'{"care":"%s","scheme":"%s","lang":"%s","limit":%d,"max_km":%s,"as_of":%s,'
        b'"age_group":%s,'
        b'"origin":{"lat":%r,"lon":%r,"resolved_from":"%s","precision":"%s","label":%s}}'
        % (
            args["care"].encode(),
            args["scheme"].encode(),
            args["lang"].encode(),
            args["limit"],
            b"null" if max_km is None else b"%r" % float(max_km),
            b"null" if as_of is None else b'"%s"' % as_of.isoformat().encode(),
            b"null" if age is None else b'"%s"' % age.encode(),
            round(origin.lat, 6),
            round(origin.lon, 6),
            origin.resolved_from.encode(),
            origin.precision.encode(),
            b"null" if label is None else encode(label),
        )
    )
