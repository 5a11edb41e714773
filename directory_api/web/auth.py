"""Bearer tokens for the admin API: configured as sha256 hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request
from flask_smorest import abort

F = TypeVar("F", bound=Callable[..., Any])


def token_hash(token: str) -> str:
    """The sha256 hex that DIRECTORY_ADMIN_TOKEN_HASHES holds for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token (url-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def configured_hashes(raw: str) -> list[str]:
    return [h.strip().lower() for h in raw.split(",") if h.strip()]


def token_matches(token: str, hashes: Iterable[str]) -> bool:
    """True when the token's hash equals one configured hash; every hash is compared."""
    candidate = token_hash(token).encode()
    found = False
    for h in hashes:
        found |= hmac.compare_digest(candidate, h.encode())
    return found


def require_admin(view: F) -> F:
    """401 without a bearer token, 403 with one that is not configured here."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            abort(
                401,
                message="admin endpoints need 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": 'Bearer realm="directory-api admin"'},
            )
        hashes = configured_hashes(current_app.config["DIRECTORY_ADMIN_TOKEN_HASHES"])
        if not token_matches(token.strip(), hashes):
            abort(403, message="this token is not valid for this server")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
