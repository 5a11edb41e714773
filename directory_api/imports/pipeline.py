"""Import = read and validate a file, then publish it as a new version of its source."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from directory_api.errors import DirectoryError, ImportRejected
from directory_api.geo.online import OnlineGeocoder
from directory_api.imports.cells import looks_like_formula, show
from directory_api.imports.reader import gc_paused, read_provider_file, read_provider_records
from directory_api.imports.report import MAX_PROBLEMS, ParsedFile, count_lines
from directory_api.models import ProviderRow
from directory_api.services import Services
from directory_api.text import forbidden_character
from directory_api.versions.identity import slugify
from directory_api.versions.records import PublishResult

MAX_SOURCE_NAME = 300  # sources.name in store.py


@dataclass(frozen=True)
class ImportOutcome:
    parsed: ParsedFile
    result: PublishResult
    dry_run: bool

    def report_lines(self) -> list[str]:
        """What the CLI prints after an import."""
        r, d = self.result, self.result.diff
        head = (
            f"dry run: source {r.source} would get {len(self.parsed.rows)} rows"
            if self.dry_run
            else f"imported {len(self.parsed.rows)} rows as {r.source} version {r.version} "
            f"(data version {r.data_version})"
        )
        lines = [
            head,
            f"  added {len(d.added)}, removed {len(d.removed)}, changed {len(d.changed)}, "
            f"unchanged {d.unchanged}",
        ]
        lines += [f"  + {c.provider_id} {c.name}" for c in d.added[:50]]
        lines += [f"  - {c.provider_id} {c.name}" for c in d.removed[:50]]
        lines += [f"  ~ {c.provider_id} {c.name}: {', '.join(c.fields)}" for c in d.changed[:50]]
        lines += [f"warning: {w}" for w in self.parsed.warnings]
        if self.parsed.problems:
            lines.append(f"skipped {self.parsed.problem_total} problem(s):")
            lines += [f"  {p}" for p in self.parsed.problems]
            lines += count_lines(self.parsed)
        return lines


def import_file(
    services: Services,
    data: bytes,
    *,
    source_name: str,
    category: str | None = None,
    contracted: bool | None = None,
    list_date: date | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    column_map: Mapping[str, str] | None = None,
    slug: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> ImportOutcome:
    """Validate every row; publish all or nothing (or the valid rows with skip_invalid).
    The report gives the first `max_problems` problems and counts the others."""

    def read() -> ParsedFile:
        return read_provider_file(
            data,
            locator=services.gazetteer,
            default_category=category,
            default_contracted=contracted,
            column_map=column_map,
            max_problems=max_problems,
            check_all=skip_invalid,  # else the rows after a full report need no checking
        )

    return _locked_import(services, read, source_name, slug, list_date, skip_invalid, dry_run)


def import_records(
    services: Services,
    records: Sequence[Mapping[str, object]],
    *,
    source_name: str,
    slug: str | None = None,
    category: str | None = None,
    contracted: bool | None = None,
    list_date: date | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    max_problems: int = MAX_PROBLEMS,
) -> ImportOutcome:
    """As import_file, for rows given as JSON objects."""

    def read() -> ParsedFile:
        return read_provider_records(
            records,
            locator=services.gazetteer,
            default_category=category,
            default_contracted=contracted,
            max_problems=max_problems,
            check_all=skip_invalid,
        )

    return _locked_import(services, read, source_name, slug, list_date, skip_invalid, dry_run)


def _locked_import(
    services: Services,
    read: Callable[[], ParsedFile],
    source_name: str,
    slug: str | None,
    list_date: date | None,
    skip_invalid: bool,
    dry_run: bool,
) -> ImportOutcome:
    """Read and publish while holding the source's import lock (the loser gets a 409)."""
    if looks_like_formula(source_name):  # served in /v1/sources like any cell of the list
        raise DirectoryError(
            f"source name {show(source_name)} looks like a spreadsheet formula",
            field_name="name",
        )
    hidden = forbidden_character(source_name)  # text.py: controls, bidi, zero-width
    if hidden is not None:
        raise DirectoryError(
            f"source name holds the invisible or control character {hidden}", field_name="name"
        )
    if len(source_name) > MAX_SOURCE_NAME:  # the column's length
        raise DirectoryError(
            f"source name is longer than {MAX_SOURCE_NAME} characters ({len(source_name)})",
            field_name="name",
        )
    try:
        slug = slug or slugify(source_name)
    except ValueError as error:
        raise ImportRejected(str(error)) from None
    with services.store.source_lock(slug), gc_paused():
        return publish_parsed(
            services,
            read(),
            source_name=source_name,
            slug=slug,
            list_date=list_date,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
        )


def refine_locations(rows: list[ProviderRow], geocoder: OnlineGeocoder) -> list[ProviderRow]:
    """Rows placed only by postcode area or city get their address's point where found."""
    out = []
    for row in rows:
        if row.location_precision in {"postcode4", "place"} and row.street:
            point = geocoder.geocode_address(row.street, row.house_number, row.postcode, row.city)
            if point is not None:
                row = replace(row, lat=point[0], lon=point[1], location_precision="address")
        out.append(row)
    return out


def publish_parsed(
    services: Services,
    parsed: ParsedFile,
    *,
    source_name: str,
    slug: str,
    list_date: date | None,
    skip_invalid: bool,
    dry_run: bool,
) -> ImportOutcome:
    """Reject or publish what the importer read."""
    counts = parsed.problem_summary()
    if parsed.problems and not skip_invalid:
        raise ImportRejected(
            f"{parsed.problem_total} problem(s) in the file; nothing was imported "
            "(fix them, or use --skip-invalid to import the valid rows)",
            parsed.problems,
            counts,
        )
    if not parsed.rows:
        raise ImportRejected("no valid rows; nothing was imported", parsed.problems, counts)
    if services.online_geocoder is not None:
        parsed.rows = refine_locations(parsed.rows, services.online_geocoder)
    result = services.store.publish(
        source_name,
        parsed.rows,
        checksum=parsed.checksum,
        list_date=list_date,
        slug=slug,
        dry_run=dry_run,
        identities=parsed.identities if len(parsed.identities) == len(parsed.rows) else None,
    )
    return ImportOutcome(parsed, result, dry_run)
