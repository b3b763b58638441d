"""Concurrent status changes: one winner per ETag, no lost update, file always whole."""

from __future__ import annotations

import itertools
import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from dashboard.services import services_of
from dashboard.tickets.model import STATUSES, Ticket
from dashboard.tickets.parse import etag_of, parse_ticket
from tests.app.ticket_helpers import TicketTree

THREADS = 8
ATTEMPTS_PER_THREAD = 25


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """Admission lets all THREADS clients in at once: this is about the store, not the cap."""
    return make_app(threads=4 * THREADS)


def distinct_second_clock():
    """Every write gets a new `updated` second, so file bytes (and ETags) never repeat."""
    ticks = itertools.count()
    lock = threading.Lock()
    start = datetime(2030, 1, 1, tzinfo=UTC)

    def now() -> datetime:
        with lock:
            return start + timedelta(seconds=next(ticks))

    return now


def race(app: Flask, seed: int) -> list[tuple[str, int, str | None]]:
    """GET then POST with If-Match, repeatedly; returns (sent etag, status code, new etag)."""
    client, rng, results = app.test_client(), random.Random(seed), []
    for _ in range(ATTEMPTS_PER_THREAD):
        current = client.get("/api/tickets/T-1")
        etag = current.headers["ETag"]
        target = rng.choice([s for s in STATUSES if s != current.json["status"]])
        response = client.post(
            "/api/tickets/T-1/status", json={"status": target}, headers={"If-Match": etag}
        )
        new = response.headers.get("ETag") if response.status_code == 200 else None
        results.append((etag.strip('"'), response.status_code, new and new.strip('"')))
    return results


def test_one_winner_per_etag_and_no_lost_updates(
    app: Flask, ticket_tree: TicketTree, make_settings
):
    services_of(app).store.clock = distinct_second_clock()
    first_etag = etag_of(ticket_tree.read("T-1.md"))
    torn_reads: list[bytes] = []
    stop = threading.Event()

    def read_file_continuously() -> None:
        while not stop.is_set():
            data = ticket_tree.read("T-1.md")
            if not isinstance(parse_ticket(data, "T-1.md"), Ticket):
                torn_reads.append(data)
            stop.wait(0.001)

    reader = threading.Thread(target=read_file_continuously)
    reader.start()
    with ThreadPoolExecutor(THREADS) as pool:
        results = [r for batch in pool.map(lambda s: race(app, s), range(THREADS)) for r in batch]
    stop.set()
    reader.join()

    codes = Counter(code for _, code, _ in results)
    assert set(codes) <= {200, 412}
    winners = {sent: new for sent, code, new in results if code == 200}
    assert len(winners) == codes[200], "an ETag had more than one winner"
    # Following sent -> new from the first ETag visits every winner once: no lost update.
    chain, etag = [], first_etag
    while etag in winners:
        chain.append(etag)
        etag = winners[etag]
    assert len(chain) == codes[200]
    assert etag == etag_of(ticket_tree.read("T-1.md"))
    audit = (make_settings().data_dir / "audit.log").read_text().splitlines()
    assert len(audit) == codes[200] and json.loads(audit[-1])["id"] == "T-1"
    assert torn_reads == []
    assert codes[200] >= THREADS  # the race really happened, and progress was made


def test_without_if_match_every_change_is_serialized_and_audited(
    app: Flask, ticket_tree: TicketTree, make_settings
):
    services_of(app).store.clock = distinct_second_clock()
    targets = ["review", "blocked"] * 20

    def post(status: str) -> int:
        response = app.test_client().post("/api/tickets/T-1/status", json={"status": status})
        return response.status_code

    with ThreadPoolExecutor(THREADS) as pool:
        codes = list(pool.map(post, targets))

    assert set(codes) == {200}
    records = [json.loads(line) for line in (make_settings().data_dir / "audit.log").open()]
    # Each change starts from the state the previous one left: none was overwritten unseen.
    assert all(prev["to"] == rec["from"] for prev, rec in itertools.pairwise(records))
    final = parse_ticket(ticket_tree.read("T-1.md"), "T-1.md")
    assert isinstance(final, Ticket) and final.status == records[-1]["to"]
