"""Run the app under gunicorn (production) without an access log."""

from __future__ import annotations

import gc
from typing import Any

from gunicorn.app.base import BaseApplication

from directory_api.errors import StoreUnavailable


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # older gunicorn lacks some settings
                self.cfg.set(key, value)

    def load(self) -> Any:
        from directory_api import create_app

        app = create_app()  # in each worker, after the fork (no preload_app)
        # Build the index before taking requests, so no request waits for it; then freeze
        # what the worker holds (rules, gazetteer, index), so collections skip it for good.
        # A store that is down does not stop the worker (gunicorn would stop the master):
        # it answers 503 and loads the index as soon as the store returns.
        try:
            app.extensions["directory"].directory()
        except StoreUnavailable:
            return app  # logged once by the holder, which retries in the background
        gc.freeze()
        return app


def serve(*, host: str, port: int, workers: int) -> None:
    """Serve on host:port with `workers` sync workers; each holds its own index."""
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": max(1, workers),
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "timeout": 60,
            # One shared control socket per user would clash between instances on one host.
            "control_socket_disable": True,
        }
    ).run()
