"""GET /api/events: Server-Sent Events, one per index change, plus heartbeats.

Each event is `id: <sequence>` and `data: {"type": ..., "id": ..., "path": ...}` on the
default event name, so a browser's EventSource.onmessage sees all of them. A comment line
every HEARTBEAT seconds keeps proxies from closing an idle stream and lets the server
notice a client that went away. The stream ends when the feed closes (shutdown).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Blueprint, Response, current_app

from dashboard.changefeed import ChangeFeed, FeedClosed, FeedEvent, Subscription
from dashboard.services import services_of
from dashboard.web.errors import error_response

blueprint = Blueprint("events", __name__)
HEARTBEAT_SECONDS = 15.0


@blueprint.get("/api/events")
def events() -> Response:
    feed = services_of().feed
    try:
        subscription = feed.subscribe()
    except FeedClosed:
        return error_response(503, "shutting down; reconnect shortly")
    heartbeat = float(current_app.config.get("SSE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))
    response = Response(_stream(feed, subscription, heartbeat), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # tell nginx-style proxies not to buffer
    return response


def _stream(feed: ChangeFeed, subscription: Subscription, heartbeat: float) -> Iterator[str]:
    try:
        yield "retry: 2000\n: connected\n\n"
        while True:
            event = subscription.get(timeout=heartbeat)
            yield ": heartbeat\n\n" if event is None else format_event(event)
    except FeedClosed:
        return
    finally:
        feed.unsubscribe(subscription)


def format_event(event: FeedEvent) -> str:
    return f"id: {event.seq}\ndata: {json.dumps(event.data, separators=(',', ':'))}\n\n"
