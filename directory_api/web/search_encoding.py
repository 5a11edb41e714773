"""The /v1/search response as bytes, assembled from JSON fragments encoded once: each
provider once per data version (Directory.json_bytes), each rule's advice and referral and
each eligibility's terms once per language (compiled when the rules load); each result's
opening status (search.timed) is two short literals.

The reference is `schemas.SearchResultSchema().dump(...)` of the same results (what
`@blp.response` would serialise); tests/web/test_search_encoding.py holds the two equal.
"""

from __future__ import annotations

from typing import Any

from directory_api.hours.evaluate import Status
from directory_api.models import Origin
from directory_api.search.directory import Directory
from directory_api.search.notice import Notice
from directory_api.search.rules import CareRule, encode
from directory_api.search.timed import Timed

_OPEN = {True: b"true", False: b"false", None: b"null"}


def search_json(
    args: dict[str, Any],
    origin: Origin,
    rule: CareRule,
    directory: Directory,
    timed: Timed,
    notice: Notice | None = None,
) -> bytes:
    """The whole body: the query as understood, the rule's advice, the data version, how
    opening hours were read and the results (search.timed's (position, distance_km, terms)
    with their statuses) in the language asked, and the notice saying why there are none
    (search.notice.empty_notice)."""
    lang = args["lang"]
    text = directory.json_bytes
    results = []
    for (item, km, terms), state in zip(timed.found, timed.statuses, strict=True):
        change = state.next_change
        if change is None:
            result = _RESULT % (text(item), km, _OPEN[state.open], terms.terms_json[lang])
        else:
            result = _RESULT_CHANGE % (
                text(item), km, _OPEN[state.open], change.encode(), terms.terms_json[lang]
            )  # fmt: skip
        results.append(result)
    return b'{%b,"results":[%b],"notice":%b}' % (
        answer_head(args, origin, rule, directory, timed),
        b",".join(results),
        notice_json(notice),
    )


def answer_head(
    args: dict[str, Any], origin: Origin, rule: CareRule, directory: Directory, timed: Timed
) -> bytes:
    """What a search answer says before its places, in JSON and GeoJSON alike: the query
    as understood, the rule's advice and referral, the data version, how hours were read."""
    return b'"query":%b,%b,"data_version":%d,"opening":%b' % (
        query_json(args, origin),
        rule.advice_json[args["lang"]],
        directory.data_version,
        opening_json(timed),
    )


def notice_json(notice: Notice | None) -> bytes:
    return b"null" if notice is None else encode(notice.as_dict())


# One result, as the provider's text, distance_km, status_json and the terms' JSON make it.
_RESULT = b'{"provider":%b,"distance_km":%r,"open":%b,"next_change":null%b'
_RESULT_CHANGE = b'{"provider":%b,"distance_km":%r,"open":%b,"next_change":"%b"%b'


def status_json(state: Status) -> bytes:
    """',"open":...,"next_change":...' (next_change is ISO 8601: ASCII, nothing to escape)."""
    change = state.next_change
    return b',"open":%b,"next_change":%b' % (
        _OPEN[state.open],
        b"null" if change is None else b'"%s"' % change.encode(),
    )


def opening_json(timed: Timed) -> bytes:
    return b'{"at":"%s","only_open":%b,"out_of_hours":%b,"unknown_hours_only":%b}' % (
        timed.at.isoformat().encode(),
        _OPEN[timed.only_open],
        _OPEN[timed.out_of_hours],
        _OPEN[timed.fallback],
    )


def query_json(args: dict[str, Any], origin: Origin) -> bytes:
    """The query as understood, with its origin. care, scheme and lang are codes from fixed
    lists (fast_search_args and the schema admit no others), so only the label is escaped."""
    max_km, as_of, label = args.get("max_km"), args.get("as_of"), origin.label
    age, open_at = args.get("age_group"), args.get("open_at")
    return (
        b'{"care":"%s","scheme":"%s","lang":"%s","limit":%d,"max_km":%s,"as_of":%s,'
        b'"age_group":%s,"open_now":%b,"open_at":%s,'
        b'"origin":{"lat":%r,"lon":%r,"resolved_from":"%s","precision":"%s","label":%s}}'
        % (
            args["care"].encode(),
            args["scheme"].encode(),
            args["lang"].encode(),
            args["limit"],
            b"null" if max_km is None else b"%r" % float(max_km),
            b"null" if as_of is None else b'"%s"' % as_of.isoformat().encode(),
            b"null" if age is None else b'"%s"' % age.encode(),
            _OPEN[bool(args.get("open_now"))],
            b"null" if open_at is None else b'"%s"' % open_at.isoformat().encode(),
            round(origin.lat, 6),
            round(origin.lon, 6),
            origin.resolved_from.encode(),
            origin.precision.encode(),
            b"null" if label is None else encode(label),
        )
    )
