"""WSGI middleware: at most so many requests in the app at once, and a separate cap on streams.

Each request holds one of gunicorn's threads while it is in the app, and a live-update
stream holds one for as long as the browser tab is open. Without caps, a burst of slow
requests (a rescan, a status write waiting on the disk) or of open tabs takes every thread,
/health included; with them, the excess gets a 503 with Retry-After. A request waits for
a permit for at most ADMISSION_WAIT_SECONDS: under a CPU quota requests arrive in bunches
(nothing runs for the rest of a period once the quota is spent), which is not overload.
A stream is refused at once. /health and /ready are never refused: they are cheap, and a
probe that gets a 503 from a busy but healthy process would restart or unroute it. A
stream's permit is held until its response is closed, so it counts against the stream cap
(only) for as long as it is open; a request's until the app returns.

Overload of the CPU itself (more requests than it can serve) is refused before a thread
is involved, by the worker (dashboard.runtime.shedding).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterable
from typing import Any, TypedDict

from werkzeug.wsgi import ClosingIterator

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
RETRY_AFTER_SECONDS = 1
ADMISSION_WAIT_SECONDS = 0.1
PROBE_PATHS = frozenset({"/health", "/ready"})
STREAM_PATHS = frozenset({"/api/events"})


class ThreadLimits(TypedDict):
    """AdmissionLimits' caps, as keyword arguments."""

    requests: int
    streams: int


class AdmissionLimits:
    def __init__(
        self,
        app: WSGIApp,
        *,
        requests: int,
        streams: int,
        stream_paths: Collection[str] = STREAM_PATHS,
        exempt_paths: Collection[str] = PROBE_PATHS,
    ) -> None:
        self._app = app
        self._stream_paths = frozenset(stream_paths)
        self._exempt_paths = frozenset(exempt_paths)
        self._requests = threading.BoundedSemaphore(requests)
        self._streams = threading.BoundedSemaphore(streams)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path in self._exempt_paths:
            return self._app(environ, start_response)
        if path in self._stream_paths:
            return self._stream(environ, start_response)
        if not self._requests.acquire(timeout=ADMISSION_WAIT_SECONDS):
            return _busy(start_response, "requests")
        try:
            # A response is built whole inside the call; sending it is the server's I/O.
            return self._app(environ, start_response)
        finally:
            self._requests.release()

    def _stream(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not self._streams.acquire(blocking=False):
            return _busy(start_response, "live-update streams")
        try:
            body = self._app(environ, start_response)
        except BaseException:
            self._streams.release()
            raise
        # Held while the stream is open: the server closes the body when it ends.
        return ClosingIterator(body, self._streams.release)


def _busy(start_response: Callable[..., Any], what: str) -> list[bytes]:
    message = f"busy: too many {what} in progress; retry in {RETRY_AFTER_SECONDS} s"
    body = json.dumps(
        {"message": message, "status": 503, "retry_after_seconds": RETRY_AFTER_SECONDS}
    ).encode()
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Retry-After", str(RETRY_AFTER_SECONDS)),
        ],
    )
    return [body]


def limits_for_threads(threads: int) -> ThreadLimits:
    """Split gunicorn's threads: half for streams, one kept for the probes, the rest for
    requests (at least one each)."""
    streams = max(1, threads // 2)
    return {"streams": streams, "requests": max(1, threads - streams - 1)}
