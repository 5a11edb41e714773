"""The app's Services and the request's pinned data version: one Directory per request."""

from __future__ import annotations

from datetime import date

from flask import current_app, g

from directory_api.search.directory import Directory
from directory_api.services import Services


def get_services() -> Services:
    """The Services of the current app."""
    return current_app.extensions["directory"]  # type: ignore[no-any-return]


def request_directory(as_of: date | None = None, services: Services | None = None) -> Directory:
    """The directory this request answers from: the current one, taken once per request and
    kept in `g` (so every part of one response, and its X-Data-Version, is of one data
    version), or the lists as they were on `as_of`, derived from that same version.
    `services` spares a lookup when the caller holds them (this runs on every read)."""
    pinned = g._get_current_object()  # one context lookup, not one per attribute
    current: Directory | None = pinned.get("directory")
    if current is None:
        services = services or get_services()
        current = pinned.directory = services.holder.get()
    if as_of is None:
        return current
    return (services or get_services()).directory(as_of, current=current)


def pinned_directory() -> Directory | None:
    """The directory pinned for this request, if any view or hook took one."""
    return g.get("directory")  # type: ignore[no-any-return]
