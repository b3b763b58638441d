"""Every error leaves as JSON with a "message", whatever raised it."""

from __future__ import annotations

import errno
import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from dashboard.tickets.errors import (
    InvalidStatus,
    ReadOnlyTree,
    StaleTicket,
    TicketConflict,
    TicketError,
    TicketNotFound,
)

log = logging.getLogger(__name__)

# The HTTP status answering each refusal of the ticket service, and the only place that
# knows it. The body is {"message": str(error), "status": <status>, **error.details}.
TICKET_ERROR_STATUS: dict[type[TicketError], int] = {
    InvalidStatus: 400,
    ReadOnlyTree: 403,
    TicketNotFound: 404,
    TicketConflict: 409,
    StaleTicket: 412,
}


def error_response(status: int, message: str, **details: Any) -> Response:
    response = jsonify({"message": message, "status": status, **details})
    response.status_code = status
    return response


def unavailable_response(message: str, retry_after_seconds: int) -> Response:
    """503 with Retry-After: the server is fine but cannot serve this yet."""
    response = error_response(503, message, retry_after_seconds=retry_after_seconds)
    response.headers["Retry-After"] = str(retry_after_seconds)
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    for ticket_error in TICKET_ERROR_STATUS:
        app.register_error_handler(ticket_error, _ticket_error)
    app.register_error_handler(OSError, _file_error)
    app.register_error_handler(Exception, _unexpected_error)


def _http_error(error: HTTPException) -> Response:
    # Keep the headers werkzeug sets (Allow on 405, WWW-Authenticate on 401).
    response = error.get_response()
    message = error.description or error.name
    if isinstance(error, RequestEntityTooLarge):
        limit_kib = current_app.config["MAX_CONTENT_LENGTH"] // 1024
        message = f"request body is too large; the limit is {limit_kib} KiB"
    body = error_response(error.code or 500, message)
    own = {"content-type", "content-length"}
    body.headers.extend((k, v) for k, v in response.headers if k.lower() not in own)
    return body


def _ticket_error(error: TicketError) -> Response:
    return error_response(_status_of(error), str(error), **error.details)


def _status_of(error: TicketError) -> int:
    """The row of the error's class or, for a subclass, of its nearest listed base class."""
    return next(TICKET_ERROR_STATUS[c] for c in type(error).__mro__ if c in TICKET_ERROR_STATUS)


def _file_error(error: OSError) -> Response:
    where = f" on {error.filename}" if error.filename else ""
    if error.errno == errno.EROFS:
        # The tree is mounted read-only: a deployment choice, not a server fault.
        log.warning("write refused: read-only file system%s", where)
        return error_response(
            403, f"the ticket tree is read-only{where}; status changes are not possible here"
        )
    log.exception("file operation failed")
    return error_response(
        500,
        f"file operation failed{where}: {error.strerror or error}; check the folder's permissions",
    )


def _unexpected_error(error: Exception) -> Response:
    log.exception("unhandled error")
    return error_response(500, "internal error; see the server log")
