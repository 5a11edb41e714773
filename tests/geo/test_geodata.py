"""Fetching pinned open data: mirror, local HTTP, checksums, no half-written files."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import os
import threading
import urllib.error
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from directory_api.errors import GeodataError
from directory_api.geo import geodata

REAL_MIRROR = Path(
    os.environ.get("DIRECTORY_GEODATA_MIRROR")
    or Path(__file__).resolve().parents[3] / "shared" / "data"
)
needs_real_mirror = pytest.mark.skipif(
    not REAL_MIRROR.is_dir(),
    reason=f"real geodata mirror not found at {REAL_MIRROR} (set DIRECTORY_GEODATA_MIRROR)",
)

FILES = {
    ("alpha", "a.txt"): b"NL\t1234\tTestdorp\n",
    ("beta", "b.csv"): b"name,lat,lon\nVoorbeeldstad,51.5,4.5\n",
}


def _datasets(base_url: str = "http://127.0.0.1:9/") -> tuple[geodata.Dataset, ...]:
    return tuple(
        geodata.Dataset(
            name=name,
            filename=filename,
            url=f"{base_url}{name}/{filename}",
            sha256=hashlib.sha256(content).hexdigest(),
            licence="CC BY 4.0",
            attribution="Invented for tests",
        )
        for (name, filename), content in FILES.items()
    )


def _write_tree(root: Path) -> Path:
    for (name, filename), content in FILES.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / filename).write_bytes(content)
    return root


def _no_network(url: str, timeout: float = 0) -> None:
    raise AssertionError(f"unexpected download of {url}")


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    return _write_tree(tmp_path / "mirror")


@pytest.fixture
def http_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A local HTTP server on 127.0.0.1 serving a folder; yields (folder, base URL)."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "served"
    root.mkdir()

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fetch_from_mirror(tmp_path: Path, mirror: Path) -> None:
    datasets = _datasets()
    dest = tmp_path / "geodata"
    paths = geodata.fetch(dest, mirror=mirror, datasets=datasets, opener=_no_network)
    assert paths == [dest / d.name / d.filename for d in datasets]
    for (name, filename), content in FILES.items():
        assert (dest / name / filename).read_bytes() == content
    source = json.loads((dest / "alpha" / geodata.SOURCE_FILE).read_text(encoding="utf-8"))
    assert source["sha256"] == datasets[0].sha256
    assert source["url"] == datasets[0].url
    assert {"licence", "attribution", "fetched_at"} <= source.keys()
    assert geodata.status(dest, datasets) == {"alpha": True, "beta": True}


def test_fetch_over_local_http(tmp_path: Path, http_root: tuple[Path, str]) -> None:
    root, base_url = http_root
    _write_tree(root)
    datasets = _datasets(base_url)
    dest = tmp_path / "geodata"
    geodata.fetch(dest, datasets=datasets, timeout=5)
    assert geodata.status(dest, datasets) == {"alpha": True, "beta": True}
    assert (dest / "beta" / "b.csv").read_bytes() == FILES[("beta", "b.csv")]


def test_http_404_is_a_geodata_error(tmp_path: Path, http_root: tuple[Path, str]) -> None:
    _, base_url = http_root
    dest = tmp_path / "geodata"
    with pytest.raises(GeodataError, match="Could not download alpha/a.txt"):
        geodata.fetch(dest, datasets=_datasets(base_url)[:1], timeout=5)
    assert _listing(dest) == []


def test_http_checksum_mismatch_leaves_no_file(tmp_path: Path, http_root: tuple[Path, str]) -> None:
    root, base_url = http_root
    _write_tree(root)
    dataset = replace(_datasets(base_url)[0], sha256="0" * 64)
    dest = tmp_path / "geodata"
    with pytest.raises(GeodataError) as caught:
        geodata.fetch(dest, datasets=(dataset,), timeout=5)
    message = str(caught.value)
    assert "alpha/a.txt" in message and "0" * 64 in message
    assert hashlib.sha256(FILES[("alpha", "a.txt")]).hexdigest() in message
    assert _listing(dest) == []


def test_mirror_checksum_mismatch_leaves_no_file(tmp_path: Path, mirror: Path) -> None:
    (mirror / "beta" / "b.csv").write_bytes(b"tampered\n")
    dest = tmp_path / "geodata"
    with pytest.raises(GeodataError, match="Checksum mismatch for beta/b.csv"):
        geodata.fetch(dest, mirror=mirror, datasets=_datasets(), opener=_no_network)
    assert _listing(dest) == ["alpha/a.txt", f"alpha/{geodata.SOURCE_FILE}"]
    assert geodata.status(dest, _datasets()) == {"alpha": True, "beta": False}


def test_present_file_is_not_fetched_again(tmp_path: Path, mirror: Path) -> None:
    datasets = _datasets()
    dest = tmp_path / "geodata"
    geodata.fetch(dest, mirror=mirror, datasets=datasets)
    target = dest / "alpha" / "a.txt"
    before = target.stat().st_mtime_ns
    empty_mirror = tmp_path / "empty"
    empty_mirror.mkdir()
    geodata.fetch(dest, mirror=empty_mirror, datasets=datasets, opener=_no_network)
    assert target.stat().st_mtime_ns == before


def test_corrupt_present_file_is_replaced(tmp_path: Path, mirror: Path) -> None:
    dest = tmp_path / "geodata"
    (dest / "alpha").mkdir(parents=True)
    (dest / "alpha" / "a.txt").write_bytes(b"half a fi")
    geodata.fetch(dest, mirror=mirror, datasets=_datasets(), opener=_no_network)
    assert (dest / "alpha" / "a.txt").read_bytes() == FILES[("alpha", "a.txt")]


def test_file_missing_from_mirror_is_downloaded(tmp_path: Path, mirror: Path) -> None:
    (mirror / "beta" / "b.csv").unlink()
    calls: list[str] = []

    def opener(url: str, timeout: float) -> object:
        calls.append(url)
        return io.BytesIO(FILES[("beta", "b.csv")])

    datasets = _datasets()
    geodata.fetch(tmp_path / "geodata", mirror=mirror, datasets=datasets, opener=opener)
    assert calls == [datasets[1].url]


def test_network_error_is_a_geodata_error(tmp_path: Path) -> None:
    def opener(url: str, timeout: float) -> object:
        raise urllib.error.URLError("no route to host")

    with pytest.raises(GeodataError, match="no route to host"):
        geodata.fetch(tmp_path / "geodata", datasets=_datasets(), opener=opener)


def test_dataset_path() -> None:
    path = geodata.dataset_path(Path("/srv/geo"), "geonames-postal-nl")
    assert path == Path("/srv/geo/geonames-postal-nl/NL.txt")
    with pytest.raises(GeodataError, match="Unknown dataset"):
        geodata.dataset_path(Path("/srv/geo"), "nope")


def test_status_of_empty_dir(tmp_path: Path) -> None:
    assert geodata.status(tmp_path) == {d.name: False for d in geodata.DATASETS}


def test_pinned_datasets_are_raw_urls_at_a_commit() -> None:
    names = [d.name for d in geodata.DATASETS]
    assert names == [
        "geonames-postal-nl",
        "geonames-places-nl",
        "eurostat-hospitals-nl",
        "cbs-gemeenten-2023",
    ]
    for dataset in geodata.DATASETS:
        assert dataset.url.startswith("https://raw.githubusercontent.com/")
        assert dataset.url.endswith("/" + dataset.filename)
        assert len(dataset.sha256) == 64 and int(dataset.sha256, 16) >= 0


@needs_real_mirror
@pytest.mark.parametrize("dataset", geodata.DATASETS, ids=lambda d: d.name)
def test_pins_match_provenance(dataset: geodata.Dataset) -> None:
    provenance = (REAL_MIRROR / dataset.name / "PROVENANCE.md").read_text(encoding="utf-8")
    commit = dataset.url.split("/")[5]
    assert dataset.sha256 in provenance
    assert commit in provenance


@needs_real_mirror
def test_fetch_real_tables_from_mirror(tmp_path: Path) -> None:
    dest = tmp_path / "geodata"
    geodata.fetch(dest, mirror=REAL_MIRROR, opener=_no_network)
    assert geodata.status(dest) == {d.name: True for d in geodata.DATASETS}
