"""The HTML page; it renders the frame, and static/dashboard.js fills it from the API."""

from __future__ import annotations

from flask import Blueprint, render_template

from dashboard.services import services_of
from dashboard.tickets.model import PRIORITIES, STATUSES
from dashboard.tickets.work_stats import count_by

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def index() -> str:
    services = services_of()
    tickets = services.store.index.tickets()
    return render_template(
        "index.html",
        counts=count_by(tickets, "status", STATUSES),
        statuses=STATUSES,
        priorities=PRIORITIES,
        token_required=services.settings.api_token is not None,
    )
