"""GET /api/events: one SSE event per index change, heartbeats, and an end at shutdown."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

from flask import Flask

from dashboard.changefeed import ChangeFeed
from dashboard.services import services_of
from tests.app.ticket_helpers import TicketTree


def open_stream(app: Flask) -> Iterator[str]:
    response = app.test_client().get("/api/events", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    return (chunk.decode() for chunk in response.response)


def data_of(chunk: str) -> dict:
    line = next(line for line in chunk.splitlines() if line.startswith("data: "))
    return json.loads(line.removeprefix("data: "))


def test_stream_starts_with_retry_hint(app: Flask):
    stream = open_stream(app)

    assert next(stream).startswith("retry: 2000\n")


def test_index_change_becomes_an_event_with_id_and_type(app: Flask, ticket_tree: TicketTree):
    stream = open_stream(app)
    next(stream)
    path = ticket_tree.add("T-1.md", "T-1", "blocked")

    services_of(app).store.refresh([path])

    chunk = next(stream)
    assert chunk.startswith("id: ")
    assert data_of(chunk) == {"type": "updated", "id": "T-1", "path": ticket_tree.name("T-1.md")}


def test_status_change_via_api_is_streamed(app: Flask):
    stream = open_stream(app)
    next(stream)

    app.test_client().post("/api/tickets/T-2/status", json={"status": "review"})

    assert data_of(next(stream))["id"] == "T-2"


def test_idle_stream_gets_heartbeat_comments(app: Flask):
    app.config["SSE_HEARTBEAT_SECONDS"] = 0.05
    stream = open_stream(app)
    next(stream)

    assert next(stream) == ": heartbeat\n\n"


def test_stream_ends_when_services_stop(app: Flask):
    stream = open_stream(app)
    next(stream)
    threading.Timer(0.05, services_of(app).stop).start()

    assert list(stream) == []


def test_new_stream_after_shutdown_is_503(app: Flask):
    services_of(app).stop()

    response = app.test_client().get("/api/events")

    assert response.status_code == 503 and response.json["message"]


def test_slow_subscriber_gets_one_resync_instead_of_overflowing():
    feed = ChangeFeed(queue_size=3)
    subscription = feed.subscribe()

    for number in range(10):
        feed.publish({"type": "updated", "id": f"T-{number}"})

    first = subscription.get(timeout=0.1)
    assert first is not None and first.data == {"type": "resync"}
    assert subscription.get(timeout=0.01) is None


def test_disconnected_stream_unsubscribes(app: Flask):
    feed = services_of(app).feed
    response = app.test_client().get("/api/events", buffered=False)
    next(iter(response.response))
    assert feed.subscriber_count == 1

    response.close()  # what the server does when the client goes away

    assert feed.subscriber_count == 0
