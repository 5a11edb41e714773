"""A private PostgreSQL cluster for fault tests: its own temporary folder and free port on
127.0.0.1, started, stopped and restarted by the test (initdb/pg_ctl of this machine)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """initdb into a temporary folder; start/stop/restart with pg_ctl; trust auth."""

    def __init__(self, root: Path, bindir: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.bindir = bindir
        self.port = free_port()
        # initdb refuses to run as root: run the server as the `postgres` user then.
        self.runas: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user for initdb")
            self.runas = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self.running = False

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.runas, str(self.bindir / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        auth = "postgres" if password is None else f"postgres:{password}"
        return f"postgresql+psycopg://{auth}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=50"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        self.running = False

    def log(self) -> str:
        try:
            return (self.root / "log").read_text(errors="replace")
        except OSError:
            return ""


def pg_cluster() -> Iterator[PgCluster]:
    """A started cluster, stopped and removed afterwards (skip when PostgreSQL is absent)."""
    bindir = _bin_dir()
    if bindir is None:
        pytest.skip("PostgreSQL's initdb/pg_ctl are not installed")
    root = Path(tempfile.mkdtemp(prefix="directory-pg-"))
    try:
        cluster = PgCluster(root, bindir)
        cluster.start()
        yield cluster
    finally:
        if "cluster" in locals() and cluster.running:
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
