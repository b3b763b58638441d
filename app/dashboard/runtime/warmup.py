"""The worker's WSGI app while the real one is still being imported and built.

Importing Flask, werkzeug, prometheus_client and the rest and building the app costs about
0.7 s of CPU, which is 1.4 s under the stacks' 0.5 CPU limit before a first request could
be answered. So the worker serves this stand-in at once and builds the app in a thread:
/health answers from the start (the process is alive and serving), everything else gets a
503 that says the app is starting, and once it is built every request goes to it.
Standard library only, so that the stand-in costs nothing to import.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
LIVENESS_PATH = "/health"
RETRY_AFTER_SECONDS = 1
_HEALTHY = json.dumps({"status": "ok"}).encode()
_STARTING = json.dumps(
    {
        "message": "starting: the application is loading; retry in a moment",
        "status": 503,
        "retry_after_seconds": RETRY_AFTER_SECONDS,
    }
).encode()


class WarmingUp:
    """Serves /health (200) and 503s until `build()` returns the app, then delegates to it.

    `on_failure` runs in the build thread if `build()` raises; the server stops the worker
    there, as gunicorn does when loading the app fails.
    """

    def __init__(self, build: Callable[[], WSGIApp], on_failure: Callable[[], None]) -> None:
        self._build = build
        self._on_failure = on_failure
        self._app: WSGIApp | None = None
        self._built = threading.Event()
        self._thread = threading.Thread(target=self._run, name="app-build", daemon=True)

    def start(self) -> WarmingUp:
        self._thread.start()
        return self

    @property
    def app(self) -> WSGIApp | None:
        """The built app, None while it is being built."""
        return self._app

    def wait_built(self, timeout: float) -> bool:
        return self._built.wait(timeout)

    def _run(self) -> None:
        try:
            self._app = self._build()
        except Exception:
            log.exception("the app could not be built; stopping")
            self._on_failure()
            return
        self._built.set()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        app = self._app
        if app is not None:
            return app(environ, start_response)
        if environ.get("PATH_INFO") == LIVENESS_PATH:
            return _json(start_response, "200 OK", _HEALTHY)
        return _json(
            start_response,
            "503 Service Unavailable",
            _STARTING,
            ("Retry-After", str(RETRY_AFTER_SECONDS)),
        )


def _json(
    start_response: Callable[..., Any], status: str, body: bytes, *headers: tuple[str, str]
) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers],
    )
    return [body]
