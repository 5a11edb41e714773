"""The point index finds what an STRtree of the same points finds: every point inside the
box or on its edges, whatever the points' order (the index keeps them in latitude order)."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from directory_api.geo.distance import PointIndex, bbox_around, chord_km, unit_vectors

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
