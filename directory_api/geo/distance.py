"""Great-circle km (geopy's formula) and the spatial index of provider points (a box query
over points sorted by longitude)."""

from __future__ import annotations

import math

import numpy as np
from geopy.distance import EARTH_RADIUS, great_circle
from numpy.typing import ArrayLike

EARTH_RADIUS_KM: float = float(EARTH_RADIUS)  # geopy's mean radius, so results match great_circle
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM


def great_circle_km(*, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (geopy's formula)."""
    return float(great_circle((lat1, lon1), (lat2, lon2)).km)


def great_circle_many_km(
    *, lat: float, lon: float, lats_rad: np.ndarray, lons_rad: np.ndarray
) -> np.ndarray:
    """Vectorised geopy great_circle from one point to many (radian arrays)."""
    lat1, lon1 = math.radians(lat), math.radians(lon)
    sin1, cos1 = math.sin(lat1), math.cos(lat1)
    sin2, cos2 = np.sin(lats_rad), np.cos(lats_rad)
    dlon = lons_rad - lon1
    cos_d, sin_d = np.cos(dlon), np.sin(dlon)
    y = np.sqrt((cos2 * sin_d) ** 2 + (cos1 * sin2 - sin1 * cos2 * cos_d) ** 2)
    x = sin1 * sin2 + cos1 * cos2 * cos_d
    return EARTH_RADIUS_KM * np.arctan2(y, x)


# Up to here the chord formula below is as exact as geopy's (it loses precision only near
# the antipode); beyond it the index uses great_circle_many_km.
CHORD_LIMIT_KM = 5_000.0


def unit_vectors(lats_rad: np.ndarray, lons_rad: np.ndarray) -> np.ndarray:
    """Points on the unit sphere, shape (..., 3)."""
    cos_lat = np.cos(lats_rad)
    return np.stack((cos_lat * np.cos(lons_rad), cos_lat * np.sin(lons_rad), np.sin(lats_rad)), -1)


def chord_km(*, lat: float, lon: float, xyz: np.ndarray) -> np.ndarray:
    """Great-circle km from one point to many given as unit vectors (n, 3): the same
    distance as geopy's great_circle, from the chord c between them (angle = 2 asin(c/2)),
    in a third of the array operations."""
    lat1, lon1 = math.radians(lat), math.radians(lon)
    cos1 = math.cos(lat1)
    diff = xyz - (cos1 * math.cos(lon1), cos1 * math.sin(lon1), math.sin(lat1))
    half_chord = np.sqrt(np.einsum("ij,ij->i", diff, diff)) * 0.5
    return (2 * EARTH_RADIUS_KM) * np.arcsin(np.minimum(half_chord, 1.0))


def bbox_around(*, lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """A lon/lat box (min_lon, min_lat, max_lon, max_lat) that contains the circle."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM) * 1.001 + 1e-9
    top = min(90.0, abs(lat) + dlat)
    if top >= 89.9 or radius_km >= HALF_CIRCUMFERENCE_KM / 2:
        return (-180.0, max(-90.0, lat - dlat), 180.0, min(90.0, lat + dlat))
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(top)))) * 1.001
    if dlon >= 180:
        return (-180.0, max(-90.0, lat - dlat), 180.0, min(90.0, lat + dlat))
    return (lon - dlon, max(-90.0, lat - dlat), lon + dlon, min(90.0, lat + dlat))


class PointIndex:
    """Points (x=lon, y=lat) sorted by longitude, with their coordinates in radians and as
    unit vectors in the same order. A box query is two binary searches for its longitude
    band and a latitude test over that band: the points of the box, edges included, as an
    STRtree box query gives them, without building a tree or a box geometry per query.

    It only shortlists by box; ranking is by great circle.
    """

    __slots__ = ("_items", "_lats", "_lons", "items", "latlon_rad", "xyz")

    def __init__(self, lats: ArrayLike, lons: ArrayLike, items: ArrayLike) -> None:
        self.items = np.asarray(items, dtype=np.int64)  # in the order given
        lat_arr = np.asarray(lats, dtype=float)
        lon_arr = np.asarray(lons, dtype=float)
        order = np.argsort(lon_arr, kind="stable")
        # The rest in longitude order.
        self._items = self.items[order]
        self._lats = lat_arr[order]
        self._lons = lon_arr[order]
        self.latlon_rad = np.radians(np.stack((self._lats, self._lons)))
        self.xyz = unit_vectors(self.latlon_rad[0], self.latlon_rad[1])

    def __len__(self) -> int:
        return len(self.items)

    def candidates(
        self, *, lat: float, lon: float, radius_km: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(items, distances_km) of the points in a box around the circle of radius_km:
        every point within radius_km, and maybe some farther ones (the box's corners)."""
        if not len(self.items):
            return self.items, np.empty(0)
        if radius_km >= CHORD_LIMIT_KM:
            lats_rad, lons_rad = self.latlon_rad
            dist = great_circle_many_km(lat=lat, lon=lon, lats_rad=lats_rad, lons_rad=lons_rad)
            return self._items, dist
        lo, hi, inside = self._in_box(*bbox_around(lat=lat, lon=lon, radius_km=radius_km))
        xyz = self.xyz[lo:hi].compress(inside, axis=0)
        return self._items[lo:hi].compress(inside), chord_km(lat=lat, lon=lon, xyz=xyz)

    def box(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> np.ndarray:
        """Items whose point lies in the lon/lat box (edges included), in the order given."""
        lo, hi, inside = self._in_box(min_lon, min_lat, max_lon, max_lat)
        return np.sort(self._items[lo:hi].compress(inside))

    def _in_box(
        self, min_lon: float, min_lat: float, max_lon: float, max_lat: float
    ) -> tuple[int, int, np.ndarray]:
        """The longitude band [lo, hi) of the box, and which of its points lie in the box."""
        lons = self._lons
        lo = int(lons.searchsorted(min_lon, "left"))
        hi = int(lons.searchsorted(max_lon, "right"))
        band = self._lats[lo:hi]
        return lo, hi, (band >= min_lat) & (band <= max_lat)
