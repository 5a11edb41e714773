"""GeoJSON (RFC 7946) of search answers, provider pages and the bulk export: a
FeatureCollection, one Feature per place, geometry a Point at [lon, lat] (WGS 84, 6
decimals, as the JSON serves them), `properties` the place exactly as the JSON answer gives
it (a search result: provider, distance_km, reimbursement; a listing: the provider). What
the JSON answer says around its list (query, advice, data_version, ...) rides along as
foreign members of the collection (RFC 7946 section 6.1).

Chosen by `format=geojson` or by `Accept: application/geo+json` (when the client prefers
it to application/json).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import Request

from directory_api.models import Origin
from directory_api.search.directory import Directory, provider_json
from directory_api.search.notice import Notice
from directory_api.search.rules import CareRule, encode
from directory_api.search.timed import Timed
from directory_api.web.search_encoding import answer_head, notice_json, status_json

MEDIA_TYPE = "application/geo+json"
_OFFERED = ("application/json", MEDIA_TYPE)


def wants_geojson(args: dict[str, Any], request: Request) -> bool:
    """format=geojson, or (without format) an Accept header preferring GeoJSON."""
    if "format" in args:
        return bool(args["format"] == "geojson")
    if "HTTP_ACCEPT" not in request.environ:
        return False
    return request.accept_mimetypes.best_match(_OFFERED) == MEDIA_TYPE


def _feature(directory: Directory, position: int, properties: bytes) -> bytes:
    p = directory.providers[position]
    return (
        b'{"type":"Feature","id":%b,"geometry":{"type":"Point","coordinates":[%r,%r]},'
        b'"properties":%b}' % (encode(p.id), round(p.lon, 6), round(p.lat, 6), properties)
    )


def search_geojson(
    args: dict[str, Any],
    origin: Origin,
    rule: CareRule,
    directory: Directory,
    timed: Timed,
    notice: Notice | None = None,
) -> bytes:
    """The /v1/search answer as a FeatureCollection: properties = each JSON result; the
    notice saying why there are none rides along at the top, as in the JSON answer."""
    lang = args["lang"]
    text = directory.json_bytes
    features = [
        _feature(
            directory,
            item,
            b'{"provider":%b,"distance_km":%r%b%b'
            % (text(item), km, status_json(state), terms.terms_json[lang]),
        )
        for (item, km, terms), state in zip(timed.found, timed.statuses, strict=True)
    ]
    return b'{"type":"FeatureCollection",%b,"features":[%b],"notice":%b}' % (
        answer_head(args, origin, rule, directory, timed),
        b",".join(features),
        notice_json(notice),
    )


def providers_geojson(
    directory: Directory, positions: Iterable[int], members: dict[str, Any]
) -> bytes:
    """A page of /v1/providers as a FeatureCollection; `members`: total, page, ..."""
    return b"".join(stream_providers_geojson(directory, positions, members))


def stream_providers_geojson(
    directory: Directory,
    positions: Iterable[int],
    members: dict[str, Any],
    chunk: int = 2000,
    *,
    keep: bool = True,
) -> Iterator[bytes]:
    """The FeatureCollection in pieces of about `chunk` features. keep=False (the bulk
    export): encode each provider without keeping its text in the directory's cache, so
    an export does not grow the worker by the whole directory's JSON."""
    head = b"".join(b"%b:%b," % (encode(k), encode(v)) for k, v in members.items())
    yield b'{"type":"FeatureCollection",%b"features":[' % head
    providers = directory.providers
    text = directory.json_bytes if keep else lambda i: encode(provider_json(providers[i]))
    parts: list[bytes] = []
    first = True
    for position in positions:
        parts.append(_feature(directory, position, text(position)))
        if len(parts) >= chunk:
            yield (b"" if first else b",") + b",".join(parts)
            first, parts = False, []
    if parts:
        yield (b"" if first else b",") + b",".join(parts)
    yield b"]}"
