"""Synthetic provider lists spread over the Netherlands, as CSV the importer accepts.

Points are real PC4 centroids (GeoNames postal codes, instance/geodata) plus a small jitter, so
the density follows where people live. Everything is clearly synthetic ("Synthetic pharmacy
123", example.org, 0xx 000 numbers) and reproducible from the seed.

    python -m bench.generate 100000 /tmp/synthetic-100k.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import random
from dataclasses import dataclass
from pathlib import Path

from directory_api.models import CATEGORIES

SEED = 20261126
SIZES = (1_000, 10_000, 100_000)

# Share of rows per category (per cent). Every category of directory_api.models.CATEGORIES.
# youth_health is the rare one (1 %): care=youth_health selects it alone, in every contract
# status. pharmacy is the common one: care=pharmacy (scheme uninsurable) selects contracted
# pharmacies, about 20 % x 55 % = 11 % of all rows.
CATEGORY_SHARES: dict[str, float] = {
    "hospital": 2.0,
    "pharmacy": 20.0,
    "mental_health_institution": 4.0,
    "long_term_care_institution": 6.0,
    "medical_aids_supplier": 4.0,
    "dental_pool": 1.5,
    "friendly_network": 1.5,
    "support_organisation": 2.0,
    "gp": 23.0,
    "midwife": 5.0,
    "maternity_carer": 1.0,
    "dentist": 14.0,
    "paramedic": 15.0,
    "youth_health": 1.0,
}
COMMON = ("pharmacy", "pharmacy")  # (category, care type whose rules select it)
RARE = ("youth_health", "youth_health")

# CAK contract status: contracted / not contracted / unknown (blank cell).
CONTRACT_SHARES: tuple[tuple[str, float], ...] = (("true", 55.0), ("false", 30.0), ("", 15.0))

HEADER = (
    "id",
    "name",
    "category",
    "cak_contracted",
    "street",
    "house_number",
    "postcode",
    "city",
    "phone",
    "website",
    "opening_hours",
    "lat",
    "lon",
)

# Opening hours as lists write them (issue 12): OSM syntax and Dutch forms, about a hundred
# distinct strings, as a real directory has (many places share their hours).
_OPENS = ("07:30", "08:00", "08:30", "09:00")
_CLOSES = ("17:00", "17:30", "18:00")
_SATURDAYS = ("", "10:00-13:00", "09:00-17:00")


def hours_pool() -> list[str]:
    pool = []
    for opens in _OPENS:
        for closes in _CLOSES:
            for saturday in _SATURDAYS:
                osm = f"Mo-Fr {opens}-{closes}" + (f"; Sa {saturday}" if saturday else "")
                pool.append(osm + "; PH off")
                dutch = f"ma-vr {opens.replace(':', '.')}-{closes.replace(':', '.')}"
                pool.append(dutch + (f", za {saturday}" if saturday else ", za gesloten"))
    pool += ["24/7", "Mo-Su 08:00-22:00", "Mo-Sa 08:00-23:00; Su 10:00-22:00; PH 10:00-22:00"]
    return pool


# Two-digit area and mobile codes whose numbers phonenumbers takes as valid Dutch numbers
# (the importer refuses the others and stores phones in E.164: imports/contacts.py).
AREA_CODES = (10, 13, 15, 20, 23, 24, 26, 30, 33, 35, 36, 38, 40, 43, 45, 46, 50, 53, 55, 58)
AREA_CODES += (61, 62, 63, 64, 65, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79)

# The importer's bounds (the Coordinate fields in imports/cells.py KINDS); jittered points
# are kept inside them.
LAT_RANGE = (50.6, 53.7)
LON_RANGE = (3.2, 7.3)
JITTER_DEG = 0.004  # about 450 m north-south, 270 m east-west (standard deviation)
LETTERS = "ABCEGHJKLMNPRTVWXZ"  # postcode letter pairs never use SA, SD or SS

assert set(CATEGORY_SHARES) == set(CATEGORIES), "every category must be generated"
assert abs(sum(CATEGORY_SHARES.values()) - 100.0) < 1e-9


@dataclass(frozen=True)
class Centroid:
    pc4: str
    city: str
    lat: float
    lon: float


def default_geodata_dir() -> Path:
    """instance/geodata of this checkout (or DIRECTORY_GEODATA_PATH / DIRECTORY_INSTANCE_PATH)."""
    if os.environ.get("DIRECTORY_GEODATA_PATH"):
        return Path(os.environ["DIRECTORY_GEODATA_PATH"])
    instance = (
        os.environ.get("DIRECTORY_INSTANCE_PATH") or Path(__file__).parent.parent / "instance"
    )
    return Path(instance) / "geodata"


def load_centroids(geodata_dir: Path | None = None) -> list[Centroid]:
    """Every PC4 centroid in GeoNames NL.txt (tab-separated; pc4 in column 2, lat/lon 10-11)."""
    path = (geodata_dir or default_geodata_dir()) / "geonames-postal-nl" / "NL.txt"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run 'make geodata' first")
    found = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 11 or not cols[1].isdigit() or cols[1].startswith("0"):
                continue
            lat, lon = float(cols[9]), float(cols[10])
            if LAT_RANGE[0] < lat < LAT_RANGE[1] and LON_RANGE[0] < lon < LON_RANGE[1]:
                found.append(Centroid(cols[1], cols[2], lat, lon))
    if not found:
        raise SystemExit(f"{path} has no usable postcode centroids")
    return found


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(bounds[1] - 1e-4, max(bounds[0] + 1e-4, value))


def jittered(rng: random.Random, c: Centroid) -> tuple[float, float]:
    """A point near a centroid, inside the importer's bounds."""
    lat = _clamp(rng.gauss(c.lat, JITTER_DEG), LAT_RANGE)
    lon = _clamp(rng.gauss(c.lon, JITTER_DEG), LON_RANGE)
    return lat, lon


def rows(n: int, centroids: list[Centroid], seed: int = SEED) -> list[tuple[str, ...]]:
    """n synthetic provider rows (strings, in HEADER order)."""
    rng = random.Random(f"{seed}:{n}")
    cats = rng.choices(list(CATEGORY_SHARES), weights=list(CATEGORY_SHARES.values()), k=n)
    statuses = rng.choices(
        [s for s, _ in CONTRACT_SHARES], weights=[w for _, w in CONTRACT_SHARES], k=n
    )
    pool = hours_pool()
    hours = random.Random(f"{seed}:{n}:hours").choices(pool + [""], k=n)  # a few unknown
    out: list[tuple[str, ...]] = []
    for i in range(n):
        category = cats[i]
        c = rng.choice(centroids)
        lat, lon = jittered(rng, c)
        label = category.replace("_", " ")
        out.append(
            (
                f"syn-{i:06d}",
                f"Synthetic {label} {i}",
                category,
                statuses[i],
                f"Synthetic street {rng.randint(1, 400)}",
                str(rng.randint(1, 250)),
                f"{c.pc4} {rng.choice(LETTERS)}{rng.choice(LETTERS)}",
                c.city,
                f"0{rng.choice(AREA_CODES)} 000 {i % 10000:04d}",
                f"https://example.org/synthetic/{i}",
                hours[i],
                f"{lat:.6f}",
                f"{lon:.6f}",
            )
        )
    return out


def write_csv(
    path: Path, n: int, centroids: list[Centroid] | None = None, seed: int = SEED
) -> Path:
    """Write n synthetic rows as a comma-separated UTF-8 CSV with a header; returns path."""
    centroids = centroids if centroids is not None else load_centroids()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(n, centroids, seed))
    return path


def origins(n: int, centroids: list[Centroid], seed: int = SEED) -> list[tuple[float, float]]:
    """n search origins across NL (centroids with jitter), the same for every size."""
    rng = random.Random(f"{seed}:origins")
    return [jittered(rng, rng.choice(centroids)) for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of providers")
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    write_csv(args.output, args.n, seed=args.seed)
    print(f"wrote {args.n} synthetic providers to {args.output}")


if __name__ == "__main__":
    main()
