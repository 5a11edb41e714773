"""Distances as geopy measures them, without importing geopy to serve. The point index finds
what an STRtree of the same points finds: every point inside the box or on its edges,
whatever the points' order (the index keeps them in latitude order)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from directory_api.geo.distance import (
    EARTH_RADIUS_KM,
    PointIndex,
    bbox_around,
    chord_km,
    great_circle_km,
    unit_vectors,
)

# Coarse coordinates, so that points fall on one another and on the boxes' edges.
coordinate = st.integers(-40, 40).map(lambda v: v / 8)
points = st.lists(st.tuples(coordinate, coordinate), max_size=60)


def strtree_box(lats: list[float], lons: list[float], box: tuple[float, ...]) -> list[int]:
    tree = shapely.STRtree(shapely.points(lons, lats))
    return sorted(tree.query(shapely.box(*box)).tolist())


@settings(max_examples=300, deadline=None)
@given(points, coordinate, coordinate, coordinate, coordinate)
def test_a_box_holds_what_an_strtree_finds(pts, x1, y1, x2, y2):
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    items = np.arange(100, 100 + len(pts))
    index = PointIndex(lats, lons, items)
    box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    expected = [int(items[i]) for i in strtree_box(lats, lons, box)] if pts else []
    assert index.box(*box).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(points, coordinate, coordinate, st.floats(0.1, 2_000.0))
def test_candidates_are_the_points_in_the_circles_box(pts, lat, lon, radius_km):
    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
    items = np.arange(len(pts)) * 3
    index = PointIndex(lats, lons, items)
    found, km = index.candidates(lat=lat, lon=lon, radius_km=radius_km)
    box = bbox_around(lat=lat, lon=lon, radius_km=radius_km)
    expected = [int(items[i]) for i in strtree_box(lats, lons, box)] if pts else []
    assert sorted(found.tolist()) == expected
    xyz = unit_vectors(np.radians(np.asarray(lats, float)), np.radians(np.asarray(lons, float)))
    position = {int(item): i for i, item in enumerate(items)}
    for item, distance in zip(found.tolist(), km.tolist(), strict=True):
        i = position[item]
        assert distance == chord_km(lat=lat, lon=lon, xyz=xyz[i : i + 1])[0]


def test_an_empty_index_finds_nothing():
    index = PointIndex([], [], [])
    found, km = index.candidates(lat=52.0, lon=5.0, radius_km=10.0)
    assert len(index) == 0 and found.tolist() == [] and km.tolist() == []
    assert index.box(-180, -90, 180, 90).tolist() == []


def test_the_earth_radius_is_geopys():
    from geopy.distance import EARTH_RADIUS, great_circle

    assert EARTH_RADIUS_KM == EARTH_RADIUS
    a, b = (52.09, 5.12), (51.44, 5.47)
    assert great_circle_km(lat1=a[0], lon1=a[1], lat2=b[0], lon2=b[1]) == great_circle(a, b).km


def test_serving_imports_no_geopy(tmp_path, geodata_dir):
    """geopy's package imports every geocoder and its HTTP clients (about 15 MiB): a worker
    that only serves never needs it (geo/distance.py, geo/online.py)."""
    code = (
        "import sys; from directory_api import create_app; "
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/db.sqlite3', "
        f"'DIRECTORY_INSTANCE_PATH': '{tmp_path}', 'DIRECTORY_GEODATA_PATH': '{geodata_dir}'}}); "
        "assert app.test_client().get('/v1/search?care=pharmacy&lat=52.09&lon=5.12').status_code "
        "== 200; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'geopy', 'aiohttp', 'requests'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
