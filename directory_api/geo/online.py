"""Address-level geocoding when importing rows without coordinates: the OnlineGeocoder
protocol, the one-line address query, GeopyGeocoder (rate-limited and cached over any geopy
geocoder) and nominatim_geocoder, which makes one over Nominatim. geopy is imported only
when a GeopyGeocoder is made (geo/distance.py says why)."""

from __future__ import annotations

from typing import Any, Protocol

from directory_api.geo.gazetteer import in_netherlands


class OnlineGeocoder(Protocol):
    """Address-level geocoding, used only when importing rows without coordinates."""

    def geocode_address(
        self, street: str | None, house_number: str | None, postcode: str | None, city: str | None
    ) -> tuple[float, float] | None: ...


def address_query(
    street: str | None, house_number: str | None, postcode: str | None, city: str | None
) -> str | None:
    """One-line query "Street 1, 1234 AB City, Netherlands"; None without a street."""

    def join(sep: str, *parts: str | None) -> str:
        return sep.join(p.strip() for p in parts if p and p.strip())

    if not street or not street.strip():
        return None
    return join(", ", join(" ", street, house_number), join(" ", postcode, city), "Netherlands")


class GeopyGeocoder:
    """OnlineGeocoder over an injected geopy geocoder, rate-limited and cached in a dict."""

    def __init__(
        self,
        geocoder: Any,
        *,
        min_delay_seconds: float = 1.0,
        max_retries: int = 2,
        error_wait_seconds: float = 5.0,
        cache: dict[str, tuple[float, float] | None] | None = None,
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self._geocode = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=max_retries,
            error_wait_seconds=error_wait_seconds,
            swallow_exceptions=False,
        )
        self.cache: dict[str, tuple[float, float] | None] = {} if cache is None else cache

    def geocode_address(
        self, street: str | None, house_number: str | None, postcode: str | None, city: str | None
    ) -> tuple[float, float] | None:
        """Point of an address in the Netherlands, or None (not found, outside NL, or error)."""
        query = address_query(street, house_number, postcode, city)
        if query is None:
            return None
        if query in self.cache:
            return self.cache[query]
        from geopy.exc import GeopyError

        try:
            location = self._geocode(query, exactly_one=True)
        except GeopyError:
            return None  # not cached: a later import may succeed
        point = None
        if location is not None:
            lat, lon = float(location.latitude), float(location.longitude)
            point = (lat, lon) if in_netherlands(lat, lon) else None
        self.cache[query] = point
        return point


def nominatim_geocoder(
    *, user_agent: str, domain: str, scheme: str, timeout: float, min_delay_seconds: float
) -> GeopyGeocoder:
    """A GeopyGeocoder over geopy's Nominatim client at `scheme`://`domain`, at most one
    request per `min_delay_seconds`."""
    from geopy.geocoders import Nominatim  # imported only when an online geocoder is configured

    nominatim = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout)
    return GeopyGeocoder(nominatim, min_delay_seconds=min_delay_seconds)
