"""Assertions shared by tests."""

from __future__ import annotations

from typing import Any


def assert_error_shape(response: Any, status: int, field: str | None = None) -> dict:
    """Every error body: numeric code and status, a message, per-field errors when named."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status and body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    if field is not None:
        assert field in body["errors"], body
        assert all(isinstance(m, str) for m in body["errors"][field])
    return body
