"""The bundled data `make run` serves at once: hospital sites, support organisations, examples."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from directory_api.errors import GeodataError
from directory_api.imports.pipeline import import_file
from directory_api.services import Services
from directory_api.versions.identity import slugify

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

HOSPITALS_SOURCE = "Ziekenhuislocaties RIVM 2019 (Eurostat GISCO)"
HOSPITALS_LIST_DATE = date(2019, 1, 1)
# Outpatient clinics (Buitenpolikliniek) have no emergency department or delivery room.
# The RIVM list's facility types of the sites imported, as models.FACILITY_TYPES codes.
HOSPITAL_TYPES = {
    "Algemeen ziekenhuis": "general",
    "Academisch ziekenhuis": "academic",
    "Kinderziekenhuis": "childrens",
    "Havenziekenhuis": "general",  # the port hospital of Rotterdam
}
# RIVM ids of categorical hospitals, each with its source (data/README.md).
CATEGORICAL_FILE = DATA_DIR / "hospitals" / "categorical_hospitals.csv"


def categorical_hospitals(path: Path = CATEGORICAL_FILE) -> dict[str, str]:
    """RIVM id -> facility type, from the cited list; every entry must name its source."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if not (r["source"].startswith("https://") and r["source_says"].strip()):
            raise ValueError(f"{path.name}: {r['name']!r} does not cite its source")
    return {r["rivm_id"]: r["facility_type"] for r in rows}


SUPPORT_SOURCE = "Steunorganisaties (Pharos-inventarisatie, seed 002)"
EXAMPLE_SOURCE = "Example data (invented, not a CAK list)"


def hospital_rows(path: Path) -> bytes:
    """The Eurostat GISCO NL hospital file as a canonical CSV of hospital sites."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    categorical = categorical_hospitals()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["id", "name", "street", "house_number", "postcode", "city", "lat", "lon", "facility_type"]
    )
    for r in rows:
        if r["facility_type"] not in HOSPITAL_TYPES:
            continue
        org, site = r["hospital_name"].strip(), r["site_name"].strip()
        name = org if site.casefold() in {org.casefold(), ""} else f"{org} ({site})"
        writer.writerow(
            [
                r["id"],
                name,
                r["street"],
                r["house_number"],
                r["postcode"].strip(),
                r["city"],
                r["lat"],
                r["lon"],
                categorical.get(r["id"], HOSPITAL_TYPES[r["facility_type"]]),
            ]
        )
    return out.getvalue().encode("utf-8")


def seed(
    services: Services, geodata_dir: Path | None = None, *, examples: bool = True
) -> Iterator[str]:
    """Import every bundled list; yields report lines. The example list is marked as example
    data (served only for categories no real list holds); `examples=False` leaves it out
    and stops serving it if an earlier seed imported it."""
    geodata_dir = geodata_dir or Path(services.geodata_dir)
    hospitals = geodata_dir / "eurostat-hospitals-nl" / "NL.csv"
    if not hospitals.exists():
        raise GeodataError(f"{hospitals} is missing: run 'directory-api geodata fetch' first")
    jobs = [
        (hospital_rows(hospitals), HOSPITALS_SOURCE, "hospital", HOSPITALS_LIST_DATE, False),
        ((DATA_DIR / "support_organisations.csv").read_bytes(), SUPPORT_SOURCE, None, None, False),
    ]
    if examples:
        example_data = (DATA_DIR / "example" / "example_providers.csv").read_bytes()
        jobs.append((example_data, EXAMPLE_SOURCE, None, None, True))
    known = {s.slug: s for s in services.store.sources()}
    for data, source, category, list_date, example in jobs:
        slug = slugify(source)
        held = known.get(slug)
        if (
            held is not None
            and held.version is not None
            and held.checksum == hashlib.sha256(data).hexdigest()
            and held.example == example
        ):
            yield f"{slug}: unchanged, not imported again"
            continue
        outcome = import_file(
            services,
            data,
            source_name=source,
            category=category,
            list_date=list_date,
            example=example,
        )
        yield from outcome.report_lines()[:2]
    example_slug = slugify(EXAMPLE_SOURCE)
    if not examples and example_slug in known and known[example_slug].version is not None:
        with services.store.source_lock(example_slug):
            services.store.remove_source(example_slug)
        yield f"{example_slug}: example data, no longer served"
