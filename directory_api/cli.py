"""The `directory-api` command: import lists, export the directory, fetch geodata, export the
OpenAPI document, serve."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from directory_api import create_app
from directory_api.errors import DirectoryError
from directory_api.models import CATEGORIES
from directory_api.services import Services
from directory_api.store.availability import unavailable, unreachable
from directory_api.text import terminal_safe
from directory_api.versions.diff import PAGE_DEFAULT, PAGE_MAX, report_lines
from directory_api.web.openapi_text import openapi_text


@contextmanager
def _services() -> Iterator[Services]:
    """The app's services for one command; database connections closed at the end. A store
    that cannot be reached is one line on stderr (no password, no traceback) and exit 2."""
    services: Services | None = None
    try:
        services = create_app().extensions["directory"]
        if services.schema is not None:
            services.schema.ensure()
        yield services
    except Exception as error:
        if not unreachable(error):
            raise
        url = services.store.url if services is not None else ""
        _echo(f"error: {unavailable(url).message}; nothing was changed", err=True)
        sys.exit(2)
    finally:
        if services is not None:
            services.store.dispose()


def _echo(text: str, err: bool = False) -> None:
    """One line to the terminal, every control character from data escaped (text.py
    terminal_safe: ESC, OSC, BEL, backspace, bidi overrides, line breaks inside a value)."""
    click.echo(terminal_safe(text), err=err)


@click.group()
def main() -> None:
    """directory-api: nearest place where care will be reimbursed (CAK)."""


# -- import ---------------------------------------------------------------------------------


def _column_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        field, sep, header = value.partition("=")
        if not sep or not field or not header:
            raise click.BadParameter(f"{value!r}: use FIELD=HEADER, e.g. name=site_name")
        mapping[field.strip()] = header.strip()
    return mapping


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--category", type=click.Choice(CATEGORIES), help="Category of rows without one.")
@click.option("--source", "source_name", help="Name of the list (default: the file name).")
@click.option("--list-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date of the list.")
@click.option(
    "--contracted/--not-contracted",
    default=None,
    help="CAK contract status of rows without one (default: unknown).",
)
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows, report the others.")
@click.option("--dry-run", is_flag=True, help="Validate and show the changes; publish nothing.")
@click.option("--column", "columns", multiple=True, help="FIELD=HEADER for unusual headers.")
@click.option(
    "--max-problems",
    type=click.IntRange(min=1),
    default=lambda: int(os.environ.get("DIRECTORY_IMPORT_MAX_PROBLEMS") or 1000),
    show_default="1000 or DIRECTORY_IMPORT_MAX_PROBLEMS",
    help="Problems reported in detail (the others are counted per column).",
)
def import_command(
    file: Path,
    category: str | None,
    source_name: str | None,
    list_date: Any,
    contracted: bool | None,
    skip_invalid: bool,
    dry_run: bool,
    columns: tuple[str, ...],
    max_problems: int,
) -> None:
    """Import a CSV list of providers as a new version of a source (all or nothing)."""
    from directory_api.imports.pipeline import import_file

    try:
        with _services() as services:
            outcome = import_file(
                services,
                file.read_bytes(),
                source_name=source_name or _known_name(services, file.stem),
                category=category,
                contracted=contracted,
                list_date=list_date.date() if list_date else None,
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                column_map=_column_map(columns),
                max_problems=max_problems,
            )
    except DirectoryError as error:
        _echo(f"import rejected: {error.message}", err=True)
        for problem in getattr(error, "problems", []):
            _echo(f"  {problem}", err=True)
        _echo_counts(getattr(error, "counts", None))
        for warning in getattr(error, "warnings", []):
            _echo(f"warning: {warning}", err=True)
        sys.exit(1)
    for line in outcome.report_lines():
        _echo(line)


def _echo_row(*fields: object) -> None:
    """Fields separated by tabs, each escaped as _echo escapes a line."""
    click.echo("\t".join(terminal_safe(str(f)) for f in fields))


def _echo_counts(counts: dict[str, Any] | None) -> None:
    """The problems counted per column, when the report gave only the first ones."""
    if counts and (counts["total"] > counts["shown"] or counts["unchecked_rows"]):
        kinds = ", ".join(f"{kind}: {n}" for kind, n in counts["by_kind"].items())
        _echo(
            f"  ... {counts['total']} problems in all, the first {counts['shown']} shown "
            f"(per column: {kinds})",
            err=True,
        )
        if counts["unchecked_rows"]:
            _echo(f"  ... and the last {counts['unchecked_rows']} rows were not checked", err=True)


def _known_name(services: Services, stem: str) -> str:
    """Without --source: the file name, or the remembered name of the source it names."""
    from directory_api.versions.identity import slugify

    try:
        known = services.store.source_defaults(slugify(stem))
    except ValueError:
        known = None
    return known.name if known is not None else stem


# -- sources and versions -------------------------------------------------------------------


@main.group("sources", invoke_without_command=True)
@click.pass_context
def sources_command(ctx: click.Context) -> None:
    """List imported sources with their published version (v- : not served)."""
    if ctx.invoked_subcommand is not None:
        return
    with _services() as services:
        listed = services.store.sources()
    for s in listed:
        _echo_row(
            s.slug,
            f"v{s.version}" if s.version is not None else "v-",
            f"{s.row_count} rows",
            f"list date {s.list_date or '-'}",
            s.name,
            *(["example data"] if s.example else []),
        )


@sources_command.command("remove")
@click.argument("source")
def sources_remove(source: str) -> None:
    """Take a source (slug) out of what is served; its versions stay for the record."""
    try:
        with _services() as services, services.store.source_lock(source):
            data_version = services.store.remove_source(source)
            kept = len(services.store.versions(source))
    except DirectoryError as error:
        _fail(error)
    click.echo(
        f"{source}: no longer served (data version {data_version}); {kept} version(s) kept, "
        "the next import or a rollback serves it again"
    )


@main.command("versions")
@click.argument("source")
def versions_command(source: str) -> None:
    """List the versions of a source (slug), oldest first; * marks the published one."""
    try:
        with _services() as services:
            versions = services.store.versions(source)
    except DirectoryError as error:
        _fail(error)
    for v in versions:
        mark = "*" if v.published else " "
        _echo_row(
            f"{mark} v{v.version}",
            f"{v.row_count} rows",
            f"list date {v.list_date or '-'}",
            f"imported {v.imported_at:%Y-%m-%d %H:%M}",
            v.checksum[:12],
        )


@main.command("diff")
@click.argument("source")
@click.option("--from", "from_version", type=int, help="Older version (default: previous).")
@click.option("--to", "to_version", type=int, help="Newer version (default: latest).")
@click.option(
    "--limit",
    type=click.IntRange(1, PAGE_MAX),
    default=PAGE_DEFAULT,
    show_default=True,
    help="Entries of each kind to show.",
)
@click.option("--offset", type=click.IntRange(0), default=0, help="Entries of each kind to skip.")
def diff_command(
    source: str, from_version: int | None, to_version: int | None, limit: int, offset: int
) -> None:
    """What changed in a source between two versions: the counts and one page of each."""
    try:
        with _services() as services:
            d = services.store.diff(source, from_version, to_version)
    except DirectoryError as error:
        _fail(error)
    for line in report_lines(d, limit, offset):
        _echo(line)


@main.command("rollback")
@click.argument("source")
@click.option("--to", "version", type=int, required=True, help="Version to publish again.")
def rollback_command(source: str, version: int) -> None:
    """Publish an earlier version of a source again."""
    try:
        with _services() as services, services.store.source_lock(source):
            data_version = services.store.rollback(source, version)
    except DirectoryError as error:
        _fail(error)
    _echo(f"{source}: version {version} published again (data version {data_version})")


@main.command("token")
def token_command() -> None:
    """Make an admin token; put its hash in DIRECTORY_ADMIN_TOKEN_HASHES."""
    from directory_api.web.auth import new_token, token_hash

    token = new_token()
    _echo(f"token (give to the admin, store nowhere else): {token}")
    _echo(f"hash (for DIRECTORY_ADMIN_TOKEN_HASHES):         {token_hash(token)}")


def _fail(error: DirectoryError) -> NoReturn:
    _echo(f"error: {error.message}", err=True)
    for problem in getattr(error, "problems", []):
        _echo(f"  {problem}", err=True)
    sys.exit(1)


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema of DATABASE_URL to this release (Alembic migrations)."""
    from directory_api.store.migrate import main_upgrade

    with _services() as services:  # opening the store already upgrades it
        url = services.store.url
    _echo(f"schema at revision {main_upgrade(url)}")


# -- geodata --------------------------------------------------------------------------------


@main.group()
def geodata() -> None:
    """Offline geodata tables (GeoNames postcodes and places, hospital sites, municipalities)."""


@geodata.command("fetch")
@click.option(
    "--from",
    "mirror",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("DIRECTORY_GEODATA_MIRROR") or None,
    help="Take the files from this folder (same layout) instead of downloading.",
)
def geodata_fetch(mirror: Path | None) -> None:
    """Download (or copy from --from) the pinned geodata files and verify their sha256."""
    from directory_api.config import from_environment
    from directory_api.geo import geodata as geodata_module

    settings = from_environment()
    instance = settings.get("DIRECTORY_INSTANCE_PATH") or os.path.join(os.getcwd(), "instance")
    target = Path(settings.get("DIRECTORY_GEODATA_PATH") or os.path.join(instance, "geodata"))
    if mirror is not None and not Path(mirror).is_dir():
        mirror = None
    try:
        paths = geodata_module.fetch(target, mirror=Path(mirror) if mirror else None)
    except DirectoryError as error:
        _echo(f"geodata fetch failed: {error.message}", err=True)
        sys.exit(1)
    for path in paths:
        _echo(f"ok  {path}")


@main.command("openapi")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
def openapi_command(output: Path | None) -> None:
    """Write the OpenAPI document (default: stdout)."""
    app = create_app({"DATABASE_URL": "sqlite://"})
    text = openapi_text(app)
    app.extensions["directory"].store.dispose()
    if output is None:
        click.echo(text, nl=False)  # the document, ours: its line breaks are kept
    else:
        output.write_text(text, encoding="utf-8")
        _echo(f"wrote {output}")


@main.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "geojson")), default="csv", show_default=True
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
def export_command(fmt: str, output: Path | None) -> None:
    """Write the whole published directory as CSV (re-importable) or GeoJSON (default: stdout)."""
    from directory_api.web.csv_export import export_pieces

    with _services() as services:
        directory = services.directory()
        pieces = export_pieces(directory, fmt)
        if output is None:
            sys.stdout.buffer.writelines(pieces)
            sys.stdout.buffer.flush()
        else:
            with output.open("wb") as handle:
                handle.writelines(pieces)
            click.echo(f"wrote {len(directory.providers)} providers to {output}", err=True)


# -- seed -----------------------------------------------------------------------------------


@main.command("seed")
@click.option(
    "--no-examples",
    is_flag=True,
    help="Leave out the invented example providers (and stop serving them if seeded before).",
)
def seed_command(no_examples: bool) -> None:
    """Import the bundled data: hospital sites (contract unknown), support organisations and
    (unless --no-examples) the invented example providers, served as example data."""
    from directory_api.imports.bundled import seed

    try:
        with _services() as services:
            for line in seed(services, examples=not no_examples):
                _echo(line)
    except DirectoryError as error:
        _echo(f"seed failed: {error.message}", err=True)
        for problem in getattr(error, "problems", []):
            _echo(f"  {problem}", err=True)
        sys.exit(1)


# -- serving --------------------------------------------------------------------------------


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=lambda: os.cpu_count() or 2, type=int, help="gunicorn workers")
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the API under gunicorn (no access log: searches are not logged)."""
    from directory_api.web.serving import serve

    serve(host=host, port=port, workers=workers)


if __name__ == "__main__":
    main()
