"""The ticket API: list, read, change status, rescan, and work metrics."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import BadRequest

from dashboard.services import services_of
from dashboard.tickets.model import Ticket
from dashboard.tickets.status_change import Actor, checked_status
from dashboard.tickets.work_stats import registry_metrics
from dashboard.web.auth import is_token_configured, require_token
from dashboard.web.errors import unavailable_response
from dashboard.web.params import ticket_query, valid_ticket_id

blueprint = Blueprint("api", __name__, url_prefix="/api")
INDEXING_RETRY_AFTER_SECONDS = 2


@blueprint.before_request
def require_first_index() -> Response | None:
    """503 until the first full scan is done, rather than serving what is indexed so far:
    a partial list would show tickets as missing, and a status change of a ticket not read
    yet would be a false 404. /api/status, /api/events and /ready answer meanwhile."""
    if services_of().store.is_indexed:
        return None
    return unavailable_response(
        "indexing the ticket tree (first scan after start); retry in a few seconds",
        INDEXING_RETRY_AFTER_SECONDS,
    )


@blueprint.get("/tickets")
def list_tickets() -> Response:
    page = services_of().listing.page(ticket_query(request.args))
    if request.if_none_match.contains(page.etag):
        response = Response(status=304)
    else:
        response = Response(page.body, mimetype="application/json")
    response.set_etag(page.etag)
    return response


@blueprint.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str) -> Response:
    ticket = services_of().store.find(valid_ticket_id(ticket_id))
    if request.if_none_match.contains_weak(ticket.etag):
        response = Response(status=304)
        response.set_etag(ticket.etag)
        return response
    return _ticket_response(ticket)


@blueprint.post("/tickets/<ticket_id>/status")
@require_token
def change_status(ticket_id: str) -> Response:
    valid_ticket_id(ticket_id)
    status = checked_status(_json_body().get("status"))
    if_match = request.if_match.contains if "If-Match" in request.headers else None
    services = services_of()
    ticket = services.status_changer.set_status(ticket_id, status, _actor(), if_match=if_match)
    services.prometheus.status_changes.labels(to=status).inc()
    return _ticket_response(ticket)


@blueprint.post("/sync")
@require_token
def sync() -> Response:
    report = services_of().store.sync()
    return jsonify(
        files=report.files,
        tickets=report.tickets,
        invalid=report.invalid,
        duration_seconds=report.duration_seconds,
        finished_at=report.finished_at.isoformat(),
    )


@blueprint.get("/registry/metrics")
def work_metrics() -> Response:
    tickets = services_of().store.index.tickets()
    return jsonify(registry_metrics(tickets, datetime.now(UTC)))


def _ticket_response(ticket: Ticket) -> Response:
    response = jsonify(ticket.as_dict(with_body=True))
    response.set_etag(ticket.etag)
    return response


def _json_body() -> dict[str, object]:
    # force: a JSON body counts even when a client forgot the Content-Type.
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        raise BadRequest('send a JSON object like {"status": "done"}')
    return body


def _actor() -> Actor:
    return Actor("api-token" if is_token_configured() else "anonymous", request.remote_addr)
