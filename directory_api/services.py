"""What one app holds: the store, the rules, the gazetteer and the in-memory directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from .directory import Directory, DirectoryHolder
from .geocode import Gazetteer
from .rules import Rules, load_rules
from .store import Store


@dataclass
class Services:
    store: Store
    rules: Rules
    gazetteer: Gazetteer
    holder: DirectoryHolder
    geodata_dir: Path

    def directory(self) -> Directory:
        """The current directory (reloaded whole when another process published data)."""
        return self.holder.get()


def build_services(app: Flask) -> Services:
    """Open the store, load and validate the rules, load the geodata tables."""
    cfg = app.config
    store = Store(cfg["DATABASE_URL"])
    store.create_schema()
    rules = load_rules(cfg.get("DIRECTORY_RULES_PATH"))
    gazetteer = Gazetteer.from_dir(Path(cfg["DIRECTORY_GEODATA_PATH"]))
    holder = DirectoryHolder(
        store.data_version, store.snapshot, interval=cfg["DIRECTORY_VERSION_CHECK_SECONDS"]
    )
    return Services(
        store=store,
        rules=rules,
        gazetteer=gazetteer,
        holder=holder,
        geodata_dir=Path(cfg["DIRECTORY_GEODATA_PATH"]),
    )


def get_services() -> Services:
    """The Services of the current app."""
    return current_app.extensions["directory"]  # type: ignore[no-any-return]
