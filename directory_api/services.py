"""What one app holds: the store, the rules, the gazetteer and the in-memory directory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from directory_api.geo.gazetteer import Gazetteer
from directory_api.geo.online import OnlineGeocoder, nominatim_geocoder
from directory_api.search.as_of import AsOfCache
from directory_api.search.directory import Directory, real_only, without_examples
from directory_api.search.resilient import ResilientHolder
from directory_api.search.rules import Rules
from directory_api.search.rules_file import load_rules
from directory_api.store.availability import LazySchema, unreachable
from directory_api.store.store import Store


@dataclass
class Services:
    store: Store
    rules: Rules
    gazetteer: Gazetteer
    holder: ResilientHolder
    geodata_dir: Path
    online_geocoder: OnlineGeocoder | None = None
    schema: LazySchema | None = None
    examples: bool = True  # DIRECTORY_EXAMPLE_DATA: serve example data where no real list is

    as_of: AsOfCache | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.as_of is None:
            self.as_of = AsOfCache(self.store.version_table, self.store.providers_of)

    def directory(
        self, as_of: date | None = None, *, current: Directory | None = None
    ) -> Directory:
        """The current directory (reloaded whole when another process published data), or
        the lists as they were on `as_of`: per source the version with the latest list date
        on or before that day (search/as_of.py: cached by that set of versions). `current`
        is the directory the caller already holds (the web layer pins one per request), so
        both answers come from one data version."""
        if current is None:
            current = self.holder.get()
        if as_of is None:
            return current
        assert self.as_of is not None
        return self.as_of.directory(as_of, current)


def build_services(cfg: Mapping[str, Any]) -> Services:
    """Open the store, load and validate the rules, load the geodata tables (from the app's
    settings). A store that cannot be reached does not stop the app: the schema is made
    when it returns."""
    store = Store(cfg["DATABASE_URL"])
    schema = _schema(store)
    rules = load_rules(cfg.get("DIRECTORY_RULES_PATH"))
    gazetteer = Gazetteer.shared(Path(cfg["DIRECTORY_GEODATA_PATH"]))
    examples = examples_on(cfg)
    load = schema.before(store.snapshot)
    holder = ResilientHolder(
        schema.before(store.data_version),
        load if examples else real_only(load),
        is_outage=unreachable,
        interval=cfg["DIRECTORY_VERSION_CHECK_SECONDS"],
        retry_max=cfg["DIRECTORY_STORE_RETRY_MAX_SECONDS"],
    )
    return Services(
        store=store,
        rules=rules,
        gazetteer=gazetteer,
        holder=holder,
        geodata_dir=Path(cfg["DIRECTORY_GEODATA_PATH"]),
        online_geocoder=_online_geocoder(cfg),
        schema=schema,
        examples=examples,
        as_of=AsOfCache(
            schema.before(lambda: store.version_table()),  # looked up per call (tests patch)
            (lambda versions: store.providers_of(versions))
            if examples
            else (lambda versions: without_examples(store.providers_of(versions))),
            max_entries=cfg["DIRECTORY_AS_OF_CACHE_ENTRIES"],
            max_bytes=int(cfg["DIRECTORY_AS_OF_CACHE_MB"] * 1024 * 1024),
        ),
    )


def examples_on(cfg: Mapping[str, Any]) -> bool:
    """DIRECTORY_EXAMPLE_DATA: anything but off/false/0/no serves example data."""
    value = str(cfg.get("DIRECTORY_EXAMPLE_DATA", "on")).strip().lower()
    return value not in {"off", "false", "0", "no"}


def _schema(store: Store) -> LazySchema:
    """Create or upgrade the schema now, or (store unreachable) when it is first reached;
    the holder logs the outage when the index is first asked for."""
    schema = LazySchema(store.create_schema)
    try:
        schema.ensure()
    except Exception as error:
        if not unreachable(error):
            raise
    return schema


def _online_geocoder(cfg: Mapping[str, Any]) -> OnlineGeocoder | None:
    """Nominatim (rate-limited, cached) when configured; used only when importing lists."""
    if cfg.get("DIRECTORY_GEOCODER") != "nominatim":
        return None
    return nominatim_geocoder(
        user_agent=cfg["DIRECTORY_GEOCODER_USER_AGENT"],
        domain=cfg["DIRECTORY_GEOCODER_DOMAIN"],
        scheme=cfg["DIRECTORY_GEOCODER_SCHEME"],
        timeout=10,
        min_delay_seconds=cfg["DIRECTORY_GEOCODER_MIN_DELAY"],
    )
