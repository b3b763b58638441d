"""WSGI middleware: a body sent without Content-Length (chunked) gets one, read up to the limit.

The size limit is checked against Content-Length before a view runs. A chunked body has
none, so a 2 MiB one went through to the view, which read the first 64 KiB of it, found no
valid JSON and answered 400. Reading at most `limit` + 1 bytes here and stating their
count lets the one check refuse both kinds with 413, without reading all of a huge body.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class CountedBody:
    def __init__(self, app: WSGIApp, limit: int) -> None:
        self._app = app
        self._limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # A Content-Length next to "chunked" does not count (RFC 9112, 6.3), so it is replaced.
        if _is_chunked(environ):
            # The server has undone the chunking (gunicorn sets wsgi.input_terminated).
            data = environ["wsgi.input"].read(self._limit + 1)
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
            # No longer chunked; werkzeug ignores Content-Length next to "chunked".
            del environ["HTTP_TRANSFER_ENCODING"]
        return self._app(environ, start_response)


def _is_chunked(environ: dict[str, Any]) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
