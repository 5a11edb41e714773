"""Logging that never holds what a person searched for (full postcodes, precise points)."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from flask import Flask

_PC6 = re.compile(r"\b([1-9][0-9]{3})(?:\s|%20|\+)?[A-Za-z]{2}\b")
_COORD = re.compile(r"(-?\d{1,3}\.\d{2})\d+")
# A query runs to the HTTP version of its request line (a malformed line may hold spaces:
# "?near=Den Bosch HTTP/1.1"), else to a double quote or the end of the line.
_QUERY = re.compile(r"\?.*?(?=\sHTTP/|[\"\n]|$)")
# gunicorn quotes what it could not read of a request line: the words after a raw space.
_BAD_VERSION = re.compile(r"(Invalid HTTP Version:?\s*)'[^'\n]*'")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){4,7}[0-9a-fA-F]{1,4}(?![\w:])"
    r"|(?<![\w:])(?:[0-9a-fA-F]{0,4}:){1,6}:[0-9a-fA-F]{0,4}(?![\w:])"
)


def redact(text: str) -> str:
    """Drop query strings and IP addresses, cut postcodes to PC4, coordinates to 2 decimals."""
    text = _BAD_VERSION.sub(r"\1'…'", _QUERY.sub("?…", text))
    text = _IPV6.sub("-", _IPV4.sub("-", text))
    text = _PC6.sub(r"\1", text)
    return _COORD.sub(r"\1", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not record.args and record.msg == getattr(record, "event", None):
            return True  # a structured event: its message is its constant name
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    _second = -1
    _stamp = ""

    def _time(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # strftime once a second, not once a line
            self._second, self._stamp = second, self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
        return self._stamp

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": self._time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in (
            "event",
            "care",
            "scheme",
            "origin_kind",
            "origin_pc4",
            "origin_area",
            "results",
            "ms",
            "searches",
            "no_results",
        ):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(payload, ensure_ascii=False)


def configure(app: Flask) -> None:
    """JSON lines on stderr for our loggers; werkzeug's and gunicorn's lines redacted."""
    level = app.config.get("DIRECTORY_LOG_LEVEL", "INFO")
    root = logging.getLogger("directory_api")
    if not any(getattr(h, "_directory", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RedactingFilter())
        handler._directory = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(level)
    # gunicorn.error holds e.g. "Invalid request from ip=...: <part of the request line>".
    for name in ("werkzeug", "gunicorn.error", "gunicorn.access"):
        server_log = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in server_log.filters):
            server_log.addFilter(RedactingFilter())
