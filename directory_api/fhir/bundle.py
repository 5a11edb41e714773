"""How /fhir answers: application/fhir+json bodies, ETag and 304 on the data version,
OperationOutcome errors, and searchset Bundles assembled from resources encoded once."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from directory_api.fhir import resources as res
from directory_api.fhir.capability import MEDIA_TYPE
from directory_api.fhir.params import FhirError, Near
from directory_api.fhir.search import Found, derived
from directory_api.search.directory import Directory

CONTENT_TYPE = f"{MEDIA_TYPE}; charset=utf-8"
TEXT_CACHE = 20_000  # encoded resources kept per data version
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


def answer(body: bytes, version: int | None = None, status: int = 200) -> Response:
    response = Response(body, status=status, content_type=CONTENT_TYPE)
    if version is not None:
        response.headers["ETag"] = f'W/"{version}"'
        response.headers["Cache-Control"] = "public, max-age=60"
        response.headers["Vary"] = "Accept, Accept-Language"
        response.headers["X-Data-Version"] = str(version)
    return response


def outcome(error: FhirError) -> Response:
    body = res.operation_outcome(error.code, error.message, error.expression)
    response = answer(encode(body), status=error.status)
    if error.status == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


def not_modified(version: int) -> Response | None:
    if "HTTP_IF_NONE_MATCH" in request.environ and request.if_none_match.contains_weak(
        str(version)
    ):
        response = answer(b"", version, status=304)
        response.headers.pop("Content-Type", None)
        return response
    return None


def cached(directory: Directory, key: Any, build: Any) -> bytes:
    texts = derived(directory).texts
    text = texts.get(key)
    if text is None:
        text = encode(build())
        if len(texts) < TEXT_CACHE:
            texts[key] = text
    return text


def bundle(
    kind: str,
    found: Found,
    entries: list[bytes],
    args: dict[str, Any],
    offset: int,
    count: int,
    version: int,
) -> bytes:
    """A searchset Bundle, its entries already encoded; self and next links."""
    base = request.url_root.rstrip("/") + "/fhir/" + kind
    raw = {k: v for k, v in request.args.items(multi=True) if k != "_offset"}
    links = [{"relation": "self", "url": _url(base, raw, offset, count)}]
    if found.more:
        links.append({"relation": "next", "url": _url(base, raw, offset + count, count)})
    head: dict[str, Any] = {
        "resourceType": "Bundle",
        "meta": res.meta(version),
        "type": "searchset",
    }
    if found.total is not None:
        head["total"] = found.total
    head["link"] = links
    text = encode(head)[:-1]
    if not entries:
        return text + b"}"
    return text + b',"entry":[' + b",".join(entries) + b"]}"


def _url(base: str, raw: dict[str, str], offset: int, count: int) -> str:
    query = {**raw, "_count": str(count)}
    if offset:
        query["_offset"] = str(offset)
    return f"{base}?{urlencode(query, safe='|,:/')}"


def entry(
    base: str, kind: str, rid: str, text: bytes, km: float | None, near: Near | None
) -> bytes:
    head = b'{"fullUrl":%b,"resource":' % encode(f"{base}/{kind}/{rid}")
    if km is None or near is None:
        return head + text + b',"search":{"mode":"match"}}'
    unit = near.units
    value = near.distance(km)
    code = "km" if unit == "km" else "[mi_i]"
    return (
        head
        + text
        + (
            b',"search":{"mode":"match","extension":[{"url":"%b","valueDistance":'
            b'{"value":%r,"unit":"%b","system":"http://unitsofmeasure.org","code":"%b"}}]}}'
            % (res.DISTANCE_EXT.encode(), value, unit.encode(), code.encode())
        )
    )
