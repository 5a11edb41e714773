"""The OpenAPI document as the app produces it, as committed in openapi/openapi.json
(`directory-api openapi`; tests/web/test_openapi.py fails when the two drift apart)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document as the app produces it."""
    return app.extensions["directory_api"].spec.to_dict()  # type: ignore[no-any-return]


def openapi_text(app: Flask) -> str:
    return json.dumps(openapi_document(app), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
