"""One root exception; subclasses are named after the condition."""

from __future__ import annotations

from dataclasses import dataclass


class DirectoryError(Exception):
    """Root of every error this package raises on purpose."""

    status = 422

    def __init__(self, message: str, *, field_name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_name = field_name


class LocationError(DirectoryError):
    """A search origin could not be resolved."""


class MalformedPostcode(LocationError):
    """Text looks like a postcode but is not a valid Dutch one."""


class UnknownPostcode(LocationError):
    """A well-formed postcode that the offline tables do not know."""


class UnknownPlace(LocationError):
    """A place name that the offline tables do not know."""


class MalformedCoordinates(LocationError):
    """Coordinates that cannot be parsed or are out of range."""


class UnknownCareType(DirectoryError):
    """A care code that the rules do not define."""


class UnknownScheme(DirectoryError):
    """A scheme code that the rules do not define."""


class RulesError(DirectoryError):
    """The rules data file is malformed; the message names the entry."""


class GeodataError(DirectoryError):
    """Geodata could not be fetched or failed its checksum."""


class NotFound(DirectoryError):
    """A resource (provider, source, version) does not exist."""

    status = 404


class ImportConflict(DirectoryError):
    """Another import of the same source is running."""

    status = 409


class StoreUnavailable(DirectoryError):
    """The store (database) cannot be reached; the message names it without credentials."""

    status = 503


@dataclass(frozen=True)
class InvalidRow:
    """One problem in an imported file: line (header is line 1), column, reason."""

    line: int
    column: str | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


class ImportRejected(DirectoryError):
    """A file was rejected as a whole; nothing was published."""

    def __init__(
        self,
        message: str,
        problems: list[InvalidRow] | None = None,
        counts: dict[str, object] | None = None,
        *,
        warnings: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.problems: list[InvalidRow] = list(problems or [])
        self.counts = counts  # {total, shown, by_kind} when the problems were cut
        self.warnings: list[str] = list(warnings or [])  # e.g. ignored columns
