"""The flask-smorest Api with one error shape for every error."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from directory_api.errors import DirectoryError, ImportRejected, InvalidRow, StoreUnavailable
from directory_api.store.availability import unreachable
from directory_api.web.schemas import ErrorSchema

log = logging.getLogger(__name__)

STORE_DOWN = "the store is not reachable: nothing was changed; try again shortly"
RETRY_AFTER_SECONDS = 5


def _flatten(messages: Any) -> dict[str, list[str]]:
    """webargs nests errors by location ({'query': {'care': [...]}}): keep field -> messages."""
    flat: dict[str, list[str]] = {}
    if not isinstance(messages, dict):
        return {"_request": [str(messages)]}
    for location, errs in messages.items():
        if isinstance(errs, dict) and location in {"query", "json", "form", "files", "headers"}:
            for name, msgs in errs.items():
                flat[_key(name)] = _as_list(msgs)
        else:
            flat[_key(location)] = _as_list(errs)
    return flat


def _key(name: Any) -> str:
    """Error keys are text: a multipart part without a name arrives as the field None."""
    return "(unnamed field)" if name is None else str(name)


def _as_list(msgs: Any) -> list[str]:
    if isinstance(msgs, list):
        return [str(m) for m in msgs]
    if isinstance(msgs, dict):
        return [f"{k}: {v}" for k, v in msgs.items()]
    return [str(msgs)]


def error_body(code: int, name: str, message: str, errors: dict[str, list[str]] | None) -> dict:
    """The one error shape: {code, status, error, message, errors?}."""
    body: dict[str, Any] = {"code": code, "status": code, "error": name, "message": message}
    if errors:
        body["errors"] = errors
    return body


class DirectoryApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Shape every HTTP error the same way; never a stack trace."""
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        flat = _flatten(errors) if errors else None
        message = data.get("message") or _summary(flat) or error.description or error.name
        code = error.code or 500
        if code >= 500:
            message = "internal error: the request could not be answered"
        headers = data.get("headers") or {}
        return error_body(code, error.name, message, flat), code, headers


def _summary(flat: dict[str, list[str]] | None) -> str | None:
    if not flat:
        return None
    name, msgs = next(iter(flat.items()))
    return f"invalid request: {name}: {msgs[0]}" + (" (and more)" if len(flat) > 1 else "")


def problem_errors(problems: list[InvalidRow]) -> dict[str, list[str]]:
    """Import problems keyed by line: {'line 5': ["column 'postcode': malformed ..."]}."""
    errors: dict[str, list[str]] = {}
    for p in problems:
        where = f"column {p.column!r}: " if p.column else ""
        errors.setdefault(f"line {p.line}", []).append(where + p.reason)
    return errors


def register_error_handlers(app: Flask) -> None:
    """DirectoryError -> its status with a field name; anything unexpected -> a bare 500."""

    @app.errorhandler(DirectoryError)
    def _directory_error(error: DirectoryError) -> Any:
        errors = {error.field_name: [error.message]} if error.field_name else None
        name = {404: "Not Found", 409: "Conflict", 503: "Service Unavailable"}.get(
            error.status, "Unprocessable Entity"
        )
        body = error_body(error.status, name, error.message, errors)
        if isinstance(error, ImportRejected):
            body["errors"] = problem_errors(error.problems) or {"file": [error.message]}
            body["problems"] = [p.as_dict() for p in error.problems]
            body["warnings"] = list(error.warnings)
            if error.counts is not None:
                body["problem_counts"] = error.counts
        return jsonify(body), error.status

    app.register_error_handler(StoreUnavailable, store_unavailable)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return app.extensions["directory_api"].handle_http_exception(error)
        if unreachable(error):  # an outage, not a bug: 503; the holder logs it once
            app.extensions["directory"].holder.report(error)
            return store_unavailable(StoreUnavailable(STORE_DOWN))
        log.exception("unhandled error")
        body = error_body(500, "Internal Server Error", "internal error", None)
        return jsonify(body), 500


def store_unavailable(error: StoreUnavailable) -> Any:
    """503 in the one error shape with Retry-After; the message never names the store's host
    (the CLI's does: it runs where the operator can see the configuration anyway)."""
    body = error_body(503, "Service Unavailable", STORE_DOWN, None)
    if not error.message.startswith("the store at "):
        body["message"] = error.message
    return jsonify(body), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
