"""`directory-api serve`: gunicorn workers each notice a new data version and swap whole."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
CSV = "name,category,cak_contracted,lat,lon\nHuisarts {n},gp,,52.{n},5.1\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)


@pytest.mark.slow
def test_gunicorn_workers_see_new_imports(database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_VERSION_CHECK_SECONDS": "0.5",
    }
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "directory-api"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                assert get(f"{base}/ready") == {"status": "ready"}
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        for n in (1, 2):
            f = tmp_path / f"list{n}.csv"
            f.write_text(CSV.format(n=n), encoding="utf-8")
            subprocess.run(
                [str(BIN / "directory-api"), "import", str(f), "--source", "gp list"],
                env=env,
                check=True,
                capture_output=True,
            )
            time.sleep(0.6)
            # Many requests land on both workers: every one answers from the new version.
            for _ in range(20):
                body = get(f"{base}/v1/providers")
                assert [p["name"] for p in body["items"]] == [f"Huisarts {n}"]
                assert body["data_version"] == n
    except Exception:
        print((tmp_path / "server.log").read_text())
        raise
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    err = (tmp_path / "server.log").read_text()
    assert "52.1" not in err and "Huisarts" not in err  # no search data in server logs


def test_a_serving_worker_builds_its_index_then_freezes_once(monkeypatch, tmp_path):
    """web/serving.py loads the app in each worker: index built before the first request,
    then the GC frozen once, so collections skip what the worker holds for good."""
    import gc

    from directory_api.web import serving

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    monkeypatch.setenv("DIRECTORY_INSTANCE_PATH", str(tmp_path / "instance"))
    froze: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: froze.append(True))
    app = serving._Gunicorn.load(None)  # load() uses nothing of the gunicorn object
    try:
        assert app.extensions["directory"].holder.loaded is not None
        assert froze == [True]
    finally:
        app.extensions["directory"].store.dispose()


def test_test_apps_and_reloads_never_freeze(services, monkeypatch):
    """Only a serving worker freezes: building or reloading a directory does not."""
    import gc

    froze: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: froze.append(True))
    services.directory()
    services.holder.refresh()
    assert froze == []
