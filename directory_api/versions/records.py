"""What the store reports about sources, their versions and a publish: plain records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from directory_api.versions.diff import Diff


@dataclass(frozen=True)
class SourceInfo:
    slug: str
    name: str
    version: int | None
    list_date: date | None
    checksum: str | None
    row_count: int
    imported_at: datetime | None
    versions: int
    example: bool = False  # invented example data (issue 11)


@dataclass(frozen=True)
class SourceDefaults:
    """What a re-import of a source without flags reuses (issue 11)."""

    name: str
    category: str | None
    contracted: bool | None
    example: bool


@dataclass(frozen=True)
class VersionInfo:
    version: int
    list_date: date | None
    checksum: str
    row_count: int
    imported_at: datetime
    published: bool


@dataclass(frozen=True)
class PublishResult:
    source: str
    version: int | None  # None for a dry run
    data_version: int
    diff: Diff
