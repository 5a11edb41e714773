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
# How the CLI's words read over HTTP: an HTTP error names HTTP fields, not CLI flags.
HTTP_WORDS = (
    ("--skip-invalid", "skip_invalid=true"),
    ("--category", "the category field"),
    ("--not-contracted", "contracted=false"),
    ("--contracted", "contracted=true"),
    ("--column", "a header the list uses"),
)


def http_words(text: str) -> str:
    """`text` with the CLI flags it names replaced by the HTTP fields that do the same."""
    for flag, field_words in HTTP_WORDS:
        text = text.replace(flag, field_words)
    return text


def contract_warning(result: PublishResult) -> str | None:
    """A loud line when an import changes the contract status of over half the rows of the
    source's previous version (e.g. a re-import that forgot --contracted)."""
    d = result.diff
    before = d.unchanged + len(d.changed) + len(d.removed)
    flipped = sum("cak_contracted" in c.fields for c in d.changed)
    if before == 0 or flipped * 2 <= before:
        return None
    return (
        f"WARNING: CONTRACT STATUS CHANGES FOR {flipped} OF {before} ROWS of {result.source} "
        "(more than half): check --contracted / --not-contracted or the file's contract "
        "column before publishing"
    )


@dataclass(frozen=True)
class ImportOutcome:
    parsed: ParsedFile
    result: PublishResult
    dry_run: bool

    @property
    def warnings(self) -> list[str]:
        """The file's warnings, with the contract status warning first when there is one."""
        loud = contract_warning(self.result)
        return ([loud] if loud else []) + list(self.parsed.warnings)

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
        lines += [w if w.startswith("WARNING") else f"warning: {w}" for w in self.warnings]
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
    example: bool | None = None,
    http: bool = False,
    max_problems: int = MAX_PROBLEMS,
) -> ImportOutcome:
    """Validate every row; publish all or nothing (or the valid rows with skip_invalid).
    A category or contract status not given is the one the source remembers from its last
    import; `example` marks the source as invented example data; `http`: messages name the
    HTTP fields instead of the CLI flags. The report gives the first `max_problems`
    problems and counts the others."""

    def read(category: str | None, contracted: bool | None) -> ParsedFile:
        return read_provider_file(
            data,
            locator=services.gazetteer,
            default_category=category,
            default_contracted=contracted,
            column_map=column_map,
            max_problems=max_problems,
            check_all=skip_invalid,  # else the rows after a full report need no checking
        )

    job = Job(source_name, slug, category, contracted, list_date, skip_invalid, dry_run, example)
    return _worded(http, lambda: _locked_import(services, read, job))


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
    http: bool = False,
    max_problems: int = MAX_PROBLEMS,
) -> ImportOutcome:
    """As import_file, for rows given as JSON objects."""

    def read(category: str | None, contracted: bool | None) -> ParsedFile:
        return read_provider_records(
            records,
            locator=services.gazetteer,
            default_category=category,
            default_contracted=contracted,
            max_problems=max_problems,
            check_all=skip_invalid,
        )

    job = Job(source_name, slug, category, contracted, list_date, skip_invalid, dry_run, None)
    return _worded(http, lambda: _locked_import(services, read, job))


@dataclass(frozen=True)
class Job:
    """What an import was asked to do."""

    source_name: str
    slug: str | None
    category: str | None
    contracted: bool | None
    list_date: date | None
    skip_invalid: bool
    dry_run: bool
    example: bool | None


def _worded(http: bool, run: Callable[[], ImportOutcome]) -> ImportOutcome:
    """run(); over HTTP, a rejection's message and problems name HTTP fields."""
    try:
        outcome = run()
    except DirectoryError as error:
        if http:
            error.message = http_words(error.message)
            error.args = (error.message,)
            if isinstance(error, ImportRejected):
                error.problems = [replace(p, reason=http_words(p.reason)) for p in error.problems]
                error.warnings = [http_words(w) for w in error.warnings]
        raise
    if http:
        outcome.parsed.warnings = [http_words(w) for w in outcome.parsed.warnings]
    return outcome


def _locked_import(
    services: Services, read: Callable[[str | None, bool | None], ParsedFile], job: Job
) -> ImportOutcome:
    """Read and publish while holding the source's import lock (the loser gets a 409)."""
    source_name, slug = job.source_name, job.slug
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
        known = services.store.source_defaults(slug)
        category, contracted = job.category, job.contracted
        if known is not None:
            category = category or known.category
            contracted = known.contracted if contracted is None else contracted
        remember: dict[str, object] = {}
        if category is not None:
            remember["default_category"] = category
        if contracted is not None:
            remember["default_contracted"] = contracted
        if job.example is not None:
            remember["example"] = job.example
        return publish_parsed(
            services,
            read(category, contracted),
            source_name=source_name,
            slug=slug,
            list_date=job.list_date,
            skip_invalid=job.skip_invalid,
            dry_run=job.dry_run,
            remember=remember,
        )


def refine_locations(rows: list[ProviderRow], geocoder: OnlineGeocoder) -> list[ProviderRow]:
    """Rows placed only by postcode area or city get their address's point where found."""
    out = []
    for row in rows:
        if row.location_precision in {"postcode4", "place"} and row.street:
            point = geocoder.geocode_address(row.street, row.house_number, row.postcode, row.city)
            if point is not None:
                row = row._replace(lat=point[0], lon=point[1], location_precision="address")
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
    remember: Mapping[str, object] | None = None,
) -> ImportOutcome:
    """Reject or publish what the importer read; a rejection carries the file's warnings."""
    if skip_invalid:
        parsed.keep_unknown_hours()
    counts = parsed.problem_summary()
    if parsed.problems and not skip_invalid:
        raise ImportRejected(
            f"{parsed.problem_total} problem(s) in the file; nothing was imported "
            "(fix them, or use --skip-invalid to import the valid rows)",
            parsed.problems,
            counts,
            warnings=parsed.warnings,
        )
    if not parsed.rows:
        raise ImportRejected(
            "no valid rows; nothing was imported",
            parsed.problems,
            counts,
            warnings=parsed.warnings,
        )
    if services.online_geocoder is not None:
        parsed.rows = refine_locations(parsed.rows, services.online_geocoder)
    result = services.store.publish(
        source_name,
        parsed.rows,
        checksum=parsed.checksum,
        list_date=list_date,
        slug=slug,
        dry_run=dry_run,
        keys=parsed.keys if len(parsed.keys) == len(parsed.rows) else None,
        remember=remember,
    )
    return ImportOutcome(parsed, result, dry_run)
