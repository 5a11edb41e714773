"""Great-circle km (geopy's formula) and the spatial index of provider points (numpy)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

# geopy's mean radius (geopy.distance.EARTH_RADIUS), so results match its great_circle.
# Written out: importing geopy imports all its geocoders and their HTTP clients (aiohttp,
# requests: about 15 MiB per serving worker), which only importing with an online
# geocoder needs (online.py).
EARTH_RADIUS_KM: float = 6371.009
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM


def great_circle_km(*, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (geopy's formula)."""
    from geopy.distance import great_circle

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
    diff = xyz - np.array((cos1 * math.cos(lon1), cos1 * math.sin(lon1), math.sin(lat1)))
    half_chord = np.einsum("ij,ij->i", diff, diff)  # the squared chord, then half of it
    np.sqrt(half_chord, out=half_chord)
    half_chord *= 0.5
    np.minimum(half_chord, 1.0, out=half_chord)
    np.arcsin(half_chord, out=half_chord)
    half_chord *= 2 * EARTH_RADIUS_KM
    return half_chord


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
    """Points (x=lon, y=lat) in latitude order, with their unit vectors.

    A box query is a binary search for the box's band of latitudes and a test of the
    longitudes in that band: the points inside the box or on its edges, as a box query on
    an STRtree of the points finds them, in a few numpy arrays (no geometry per point).
    It only shortlists by box; ranking is by great circle.
    """

    __slots__ = ("items", "lats", "lons", "xyz")

    def __init__(self, lats: ArrayLike, lons: ArrayLike, items: ArrayLike) -> None:
        lat_arr = np.asarray(lats, dtype=float)
        order = np.argsort(lat_arr, kind="stable")
        self.items = np.asarray(items, dtype=np.int64)[order]  # in latitude order
        self.lats = lat_arr[order]  # ascending
        self.lons = np.asarray(lons, dtype=float)[order]
        self.xyz = unit_vectors(np.radians(self.lats), np.radians(self.lons))

    def __len__(self) -> int:
        return len(self.items)

    def _in_box(
        self, min_lon: float, min_lat: float, max_lon: float, max_lat: float
    ) -> np.ndarray | slice:
        """Where the points inside the box (edges included) are in this index's arrays."""
        # Array methods, not numpy's module functions: their Python wrappers cost more
        # than the work on a band of a few hundred points (this is every search's hot path).
        lo = int(self.lats.searchsorted(min_lat, "left"))
        hi = int(self.lats.searchsorted(max_lat, "right"))
        lons = self.lons[lo:hi]
        inside = (lons >= min_lon) & (lons <= max_lon)
        at = inside.nonzero()[0]
        if len(at) == hi - lo:
            return slice(lo, hi)
        at += lo
        return at

    def candidates(
        self, *, lat: float, lon: float, radius_km: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(items, distances_km) of the points in a box around the circle of radius_km:
        every point within radius_km, and maybe some farther ones (the box's corners)."""
        if not len(self.items):
            return self.items[:0], np.empty(0)
        if radius_km >= CHORD_LIMIT_KM:
            dist = great_circle_many_km(
                lat=lat, lon=lon, lats_rad=np.radians(self.lats), lons_rad=np.radians(self.lons)
            )
            return self.items, dist
        at = self._in_box(*bbox_around(lat=lat, lon=lon, radius_km=radius_km))
        return self.items[at], chord_km(lat=lat, lon=lon, xyz=self.xyz[at])

    def box(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> np.ndarray:
        """Items whose point lies in the lon/lat box (edges included), in item order."""
        return np.sort(self.items[self._in_box(min_lon, min_lat, max_lon, max_lat)])
