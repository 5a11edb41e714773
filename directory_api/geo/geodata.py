"""Pinned public open data (GeoNames, Eurostat GISCO, CBS): fetch, verify, report.

The files are never committed; they are downloaded from the raw GitHub URL at a pinned
commit (or copied from a local mirror folder with the same layout) and checked by sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from directory_api.errors import GeodataError

_RAW = "https://raw.githubusercontent.com"
_CHUNK = 1 << 16
SOURCE_FILE = "source.json"


@dataclass(frozen=True)
class Dataset:
    """One pinned open data file: folder name, file name, source URL and checksum."""

    name: str
    filename: str
    url: str
    sha256: str
    licence: str
    attribution: str


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        name="geonames-postal-nl",
        filename="NL.txt",
        url=f"{_RAW}/symerio/postal-codes-data/"
        "3a94317a6192e7e576c078538dfe665048d42edf/data/geonames/NL.txt",
        sha256="942758e56e1ead385d2df4eb14bf2ed9cfa2dce2c61290445d1ca8a496e42300",
        licence="CC BY 4.0",
        attribution="GeoNames (geonames.org)",
    ),
    Dataset(
        name="geonames-places-nl",
        filename="plaatsen_in_nederland.csv",
        url=f"{_RAW}/fyris-rd/plaatsen_in_nederland/"
        "e767275584e95dce2ab653824f73bb169f7b9dec/plaatsen_in_nederland.csv",
        sha256="b2cd3c38e9805504e1e2e339ebf116db56bd9f6982a70a76a216ce1f8c89d577",
        licence="CC BY 4.0",
        attribution="GeoNames (geonames.org)",
    ),
    Dataset(
        name="eurostat-hospitals-nl",
        filename="NL.csv",
        url=f"{_RAW}/eurostat/basic-services/"
        "f200d0ce0af43a0353ea0f229e1e770a2be26f8d/data/healthcare/csv/NL.csv",
        sha256="22d30b65f00ae0cc401027f1ddfb8c3024dff6d9588c011760398ea94e3416ac",
        licence="Reuse with attribution (Eurostat GISCO; RIVM open data)",
        attribution="Eurostat GISCO; RIVM Volksgezondheidenzorg.info",
    ),
    Dataset(  # CBS/Kadaster wijk- en buurtkaart 2023, gemeenten, simplified (mapshaper 1%)
        name="cbs-gemeenten-2023",
        filename="gemeenten.json",
        url=f"{_RAW}/stdekker/open-data-maps/"
        "3c7197e5958fc81cfd72e24c65c313747d3431b7/web/data/gemeenten.json",
        sha256="b7e5aef2d76c825e597152921f811217efbddd10500264524e6661e22f3b25d3",
        licence="CC BY 4.0",
        attribution="Bron: CBS, Kadaster",
    ),
)

Opener = Callable[..., Any]


def _find(name: str, datasets: Iterable[Dataset]) -> Dataset:
    for dataset in datasets:
        if dataset.name == name:
            return dataset
    raise GeodataError(f"Unknown dataset {name!r}.")


def dataset_path(geodata_dir: Path, name: str, datasets: Iterable[Dataset] = DATASETS) -> Path:
    """Path where the file of dataset `name` lives under `geodata_dir`."""
    dataset = _find(name, datasets)
    return Path(geodata_dir) / dataset.name / dataset.filename


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, sha256: str) -> bool:
    return path.is_file() and file_sha256(path) == sha256


def _copy_verified(source: IO[bytes], target: Path, dataset: Dataset, origin: str) -> None:
    """Stream `source` into a temp file next to `target`; rename only if the hash matches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        actual = digest.hexdigest()
        if actual != dataset.sha256:
            raise GeodataError(
                f"Checksum mismatch for {dataset.name}/{dataset.filename} from {origin}: "
                f"expected sha256 {dataset.sha256}, got {actual}. Nothing was written."
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _download(dataset: Dataset, target: Path, opener: Opener, timeout: float) -> None:
    try:
        with opener(dataset.url, timeout=timeout) as response:
            _copy_verified(response, target, dataset, dataset.url)
    except (urllib.error.URLError, OSError) as exc:
        raise GeodataError(
            f"Could not download {dataset.name}/{dataset.filename} from {dataset.url}: {exc}"
        ) from exc


def _write_source(folder: Path, dataset: Dataset, origin: str) -> None:
    record = {
        "name": dataset.name,
        "filename": dataset.filename,
        "url": dataset.url,
        "sha256": dataset.sha256,
        "licence": dataset.licence,
        "attribution": dataset.attribution,
        "obtained_from": origin,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    tmp = folder / f".{SOURCE_FILE}.part"
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / SOURCE_FILE)


def fetch_one(
    geodata_dir: Path,
    dataset: Dataset,
    *,
    mirror: Path | None = None,
    opener: Opener = urllib.request.urlopen,
    timeout: float = 60,
) -> Path:
    """Make one dataset present and verified: keep, copy from the mirror, or download."""
    target = Path(geodata_dir) / dataset.name / dataset.filename
    if _verified(target, dataset.sha256):
        if not (target.parent / SOURCE_FILE).is_file():
            _write_source(target.parent, dataset, "already present")
        return target
    mirrored = Path(mirror) / dataset.name / dataset.filename if mirror else None
    if mirrored is not None and mirrored.is_file():
        origin = str(mirrored)
        with open(mirrored, "rb") as source:
            _copy_verified(source, target, dataset, origin)
    else:
        origin = dataset.url
        _download(dataset, target, opener, timeout)
    _write_source(target.parent, dataset, origin)
    return target


def fetch(
    geodata_dir: Path,
    *,
    mirror: Path | None = None,
    datasets: Iterable[Dataset] = DATASETS,
    opener: Opener = urllib.request.urlopen,
    timeout: float = 60,
) -> list[Path]:
    """Make every dataset present and verified under `geodata_dir`; return their paths."""
    return [
        fetch_one(geodata_dir, dataset, mirror=mirror, opener=opener, timeout=timeout)
        for dataset in datasets
    ]


def status(geodata_dir: Path, datasets: Iterable[Dataset] = DATASETS) -> dict[str, bool]:
    """Map each dataset name to whether its file is present with the pinned sha256."""
    return {
        dataset.name: _verified(Path(geodata_dir) / dataset.name / dataset.filename, dataset.sha256)
        for dataset in datasets
    }
