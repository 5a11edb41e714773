"""Settings: defaults, then the environment, then what create_app is given."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

# One line per environment variable: name -> (default, parser).
ENVIRONMENT: dict[str, tuple[Any, Any]] = {
    "DATABASE_URL": (None, str),  # default: SQLite file in the instance folder
    "DIRECTORY_INSTANCE_PATH": (None, str),
    "DIRECTORY_GEODATA_PATH": (None, str),  # default: <instance>/geodata
    "DIRECTORY_GEODATA_MIRROR": (None, str),  # local folder with the same layout
    "DIRECTORY_RULES_PATH": (None, str),  # default: data/rules/rules.yaml
    "DIRECTORY_GEOCODER": ("", str),  # "" (offline only) or "nominatim": addresses at import
    "DIRECTORY_GEOCODER_DOMAIN": ("nominatim.openstreetmap.org", str),
    "DIRECTORY_GEOCODER_SCHEME": ("https", str),
    "DIRECTORY_GEOCODER_USER_AGENT": ("directory-api (import of provider lists)", str),
    "DIRECTORY_GEOCODER_MIN_DELAY": (1.0, float),  # seconds between requests (usage policy)
    "DIRECTORY_VERSION_CHECK_SECONDS": (2.0, float),  # how often a worker looks for new data
    # Longest wait between two tries to reach the store during an outage (backoff from 0.5 s).
    "DIRECTORY_STORE_RETRY_MAX_SECONDS": (5.0, float),
    "DIRECTORY_ADMIN_TOKEN_HASHES": ("", str),  # comma-separated sha256 hex of bearer tokens
    "DIRECTORY_MAX_UPLOAD_BYTES": (20 * 1024 * 1024, int),
    "DIRECTORY_IMPORT_MAX_PROBLEMS": (1000, int),  # problems an import report gives in detail
    "DIRECTORY_CORS_ORIGINS": ("*", str),
    "DIRECTORY_CACHE_SECONDS": (60, int),  # Cache-Control max-age of read endpoints
    "DIRECTORY_RATE_LIMIT": ("", str),  # e.g. "120/minute" per client; "" = no limit
    "DIRECTORY_RATE_LIMIT_STORAGE": ("memory://", str),  # e.g. redis://127.0.0.1:6379/0
    # When the shared limit storage cannot be reached: "open" (default) counts per instance
    # in memory and serves on; "closed" answers 503 until it is back.
    "DIRECTORY_RATE_LIMIT_ON_STORAGE_ERROR": ("open", str),
    # "off": invented example providers are never served (issue 11); "on" (default): only
    # for categories that no real list holds.
    "DIRECTORY_EXAMPLE_DATA": ("on", str),
    # Directories of past days (as_of) kept per worker, by set of source versions in force:
    # at most this many, and at most this many MB by estimate (search/as_of.py).
    "DIRECTORY_AS_OF_CACHE_ENTRIES": (4, int),
    "DIRECTORY_AS_OF_CACHE_MB": (256.0, float),
    "DIRECTORY_DIFF_CACHE_ENTRIES": (8, int),  # diffs kept per worker (versions/diff.py)
    "DIRECTORY_LOG_LEVEL": ("INFO", str),
    # `directory-api serve` (web/serving.py): threads and open connections per worker, and
    # how long a client may take: idle between requests, to send its headers, its body.
    "DIRECTORY_SERVE_THREADS": (32, int),
    "DIRECTORY_SERVE_CONNECTIONS": (1000, int),
    "DIRECTORY_KEEPALIVE_SECONDS": (5, int),
    "DIRECTORY_HEADER_TIMEOUT_SECONDS": (10.0, float),
    "DIRECTORY_BODY_TIMEOUT_SECONDS": (60.0, float),
    "DIRECTORY_BENCH_MODE": (False, lambda v: str(v).lower() in {"1", "true", "yes"}),
}


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults overridden by whatever of ENVIRONMENT is set in `environ`."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    for name, (default, parse) in ENVIRONMENT.items():
        raw = environ.get(name)
        settings[name] = default if raw in (None, "") else parse(raw)
    return settings


def sqlite_url(path: str) -> str:
    """SQLAlchemy URL for an SQLite file."""
    return f"sqlite:///{path}"
