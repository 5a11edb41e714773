"""A DirectoryHolder that rides out a store outage: reads go on from the directory in memory.

When the store cannot be reached (`is_outage(error)`), the holder stops asking it on the
request path, logs the outage once, and retries in a background thread with exponential
backoff. The first retry that reaches the store ends the outage (logged once); a data
version published meanwhile is then loaded as usual. A holder with nothing in memory yet (a
worker that booted during the outage) raises `unavailable()` until the store returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from directory_api.errors import StoreUnavailable
from directory_api.search.directory import Directory, DirectoryHolder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outage:
    """Since when (wall clock, epoch seconds) the store could not be reached, and why."""

    since: float
    cause: str  # the exception's class name only: its text may hold SQL or a host

    def reason(self, loaded: Directory | None, now: float | None = None) -> str:
        seconds = max(0.0, (time.time() if now is None else now) - self.since)
        stamp = time.strftime("%H:%M:%S", time.gmtime(self.since))
        serving = (
            f"serving data version {loaded.data_version} from memory"
            if loaded is not None
            else "no data loaded yet"
        )
        return f"the store is not reachable since {stamp} UTC ({seconds:.0f} s); {serving}"


def _no_data() -> StoreUnavailable:
    return StoreUnavailable(
        "no data loaded yet: the store is not reachable; this server loads the directory "
        "as soon as it is (try again shortly)"
    )


class ResilientHolder(DirectoryHolder):
    """DirectoryHolder plus outage handling (see the module docstring)."""

    def __init__(
        self,
        version_of: Callable[[], int],
        load: Callable[[], Any],
        *,
        is_outage: Callable[[BaseException], bool],
        unavailable: Callable[[], StoreUnavailable] = _no_data,
        retry_first: float = 0.5,
        retry_max: float = 5.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(version_of, load, **kwargs)
        self._is_outage = is_outage
        self._unavailable = unavailable
        self._retry_first = retry_first
        self._retry_max = max(retry_first, retry_max)
        self._outage: Outage | None = None
        self._outage_lock = threading.Lock()
        self._wake = threading.Event()
        self.retries = 0  # attempts made during outages (for tests and figures)

    @property
    def outage(self) -> Outage | None:
        """The current outage, or None while the store answers."""
        return self._outage

    def reason(self) -> str | None:
        outage = self._outage
        return None if outage is None else outage.reason(self.loaded)

    def get(self) -> Directory:
        if self._outage is not None:
            return self._from_memory()
        try:
            return super().get()
        except Exception as error:
            if not self._is_outage(error):
                raise
            self.report(error)
            return self._from_memory()

    def refresh(self) -> Directory:
        if self._outage is not None:  # the retry thread is asking the store already
            return self._from_memory()
        return super().refresh()

    def report(self, error: BaseException) -> None:
        """The store could not be reached (seen here or by a write): start an outage."""
        with self._outage_lock:
            if self._outage is not None:
                return
            self._outage = Outage(since=time.time(), cause=type(error).__name__)
            loaded = self.loaded
            log.warning(
                "store not reachable (%s): %s; retrying in the background",
                self._outage.cause,
                f"serving data version {loaded.data_version} from memory"
                if loaded is not None
                else "no data loaded yet",
            )
            threading.Thread(target=self._retry, name="store-retry", daemon=True).start()

    def _from_memory(self) -> Directory:
        current = self.loaded
        if current is None:
            raise self._unavailable()
        return current

    def _retry(self) -> None:
        delay = self._retry_first
        while True:
            self._wake.wait(delay)
            self._wake.clear()
            self.retries += 1
            try:
                self._checked = float("-inf")
                directory = DirectoryHolder.get(self)  # the store itself, not the memory
            except Exception as error:
                if not self._is_outage(error):
                    log.warning("store check failed after an outage (%s)", type(error).__name__)
                delay = min(delay * 2, self._retry_max)
                continue
            with self._outage_lock:
                outage, self._outage = self._outage, None
            took = time.time() - outage.since if outage is not None else 0.0
            log.warning(
                "store reachable again after %.1f s; serving data version %d",
                took,
                directory.data_version,
            )
            return

    def retry_now(self) -> None:
        """Skip the rest of the current backoff delay (tests, or an operator's signal)."""
        self._wake.set()
