"""Rate limits per client (flask-limiter), shared between instances through Redis.

`DIRECTORY_RATE_LIMIT_STORAGE=redis://host:6379/0` keeps the counters in Redis, so every
instance counts against the same limit. When Redis cannot be reached the service fails open
by default (`DIRECTORY_RATE_LIMIT_ON_STORAGE_ERROR=open`): each instance counts in its own
memory, reads go on, and the switch is logged once (and once when Redis is back; it is
probed with backoff). With `closed`, requests get 503 until Redis answers again.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, jsonify, request

from directory_api.web.errors import error_body

log = logging.getLogger(__name__)

EXEMPT = frozenset(("/health", "/ready"))
STORAGE_DOWN = "the rate limit storage is not reachable; try again shortly"
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class _OnceAMinute:
    """Log a repeated failure at most once a minute."""

    def __init__(self) -> None:
        self.last = float("-inf")

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self.last < 60:
            return False
        self.last = now
        return True


class _NoBreaches(logging.Filter):
    """flask-limiter logs every 429 ("ratelimit ... exceeded"): not a line per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("ratelimit ")


def _limiter_logger() -> logging.Logger:
    """flask-limiter's storage lines (unreachable, recovered) as our JSON lines."""
    logger = logging.getLogger(f"{__name__}.flask_limiter")
    if not any(isinstance(f, _NoBreaches) for f in logger.filters):
        logger.addFilter(_NoBreaches())
    return logger


def fail_open(app: Flask) -> bool:
    setting = str(app.config.get("DIRECTORY_RATE_LIMIT_ON_STORAGE_ERROR") or "open").lower()
    if setting not in {"open", "closed"}:
        raise ValueError(
            f"DIRECTORY_RATE_LIMIT_ON_STORAGE_ERROR must be 'open' or 'closed', not {setting!r}"
        )
    return setting == "open"


def init_limiter(app: Flask) -> Any:
    """flask-limiter per client address (held only in its counters, never logged)."""
    limits = app.config.get("DIRECTORY_RATE_LIMIT") or ""
    if not limits:
        return None
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from limits.errors import StorageError

    storage = app.config["DIRECTORY_RATE_LIMIT_STORAGE"]
    opened = fail_open(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    if not storage.startswith("memory"):
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        if storage.startswith(("redis://", "rediss://", "redis+unix://")):
            # A Redis that does not answer costs a request at most these timeouts.
            for key, value in REDIS_TIMEOUTS.items():
                options.setdefault(key, value)
        options["wrap_exceptions"] = True  # storage errors arrive as limits' StorageError
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    # Fail open: count in this instance's memory while the storage is down (flask-limiter
    # logs the switch and the recovery once each).
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", opened)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", opened)
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[limits],
        default_limits_exempt_when=lambda: request.path in EXEMPT,
    )
    limiter.logger = _limiter_logger()
    should_log = _OnceAMinute()

    @app.errorhandler(StorageError)
    def _storage_down(error: StorageError) -> Any:  # fail closed
        if should_log():
            log.warning(
                "rate limit storage not reachable (%s): answering 503 (fail closed)",
                type(error.storage_error).__name__,
            )
        body = error_body(503, "Service Unavailable", STORAGE_DOWN, None)
        return jsonify(body), 503, {"Retry-After": "5"}

    app.extensions["directory_limiter"] = limiter
    return limiter
