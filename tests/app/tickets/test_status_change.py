"""Concurrent status changes: one winner per ETag, no lost update, file always whole."""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from dashboard.services import services_of
from dashboard.tickets.index import TicketIndex
from dashboard.tickets.model import STATUSES, Ticket
from dashboard.tickets.parse import etag_of, parse_ticket
from dashboard.tickets.registry import render_registry
from dashboard.tickets.scan import scan_tree
from dashboard.tickets.tree_locks import ticket_lock_path
from dashboard.tickets.write import rewrite_status
from tests.app.ticket_helpers import (
    TicketTree,
    lock_held_by_another_process,
    running_dashboard,
    wait_until,
)

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


# Another replica, as this one sees it: the same tree written by another process, before
# this process's watcher has said so (the app tests run without a watcher).


def quoted(etag: str) -> dict[str, str]:
    return {"If-Match": f'"{etag}"'}


def test_a_change_waits_while_another_process_holds_the_tickets_lock(
    app: Flask, ticket_tree: TicketTree
):
    before = ticket_tree.read("T-1.md")
    answered: list[int] = []

    def change() -> None:
        response = app.test_client().post("/api/tickets/T-1/status", json={"status": "review"})
        answered.append(response.status_code)

    with lock_held_by_another_process(ticket_lock_path(ticket_tree.root, "T-1")):
        writer = threading.Thread(target=change)
        writer.start()
        writer.join(0.3)
        assert writer.is_alive() and ticket_tree.read("T-1.md") == before
    writer.join(5)

    assert answered == [200]


def test_if_match_is_checked_against_the_file_not_the_index(client, ticket_tree: TicketTree):
    read_earlier = etag_of(ticket_tree.read("T-1.md"))
    ticket_tree.add("T-1.md", "T-1", "blocked")  # written by another replica

    stale = client.post(
        "/api/tickets/T-1/status", json={"status": "review"}, headers=quoted(read_earlier)
    )

    assert stale.status_code == 412
    assert stale.json["etag"] == etag_of(ticket_tree.read("T-1.md"))


def test_after_a_412_a_reload_gets_the_etag_that_a_retry_needs(client, ticket_tree: TicketTree):
    read_earlier = etag_of(ticket_tree.read("T-1.md"))
    ticket_tree.add("T-1.md", "T-1", "blocked")  # written by another replica
    client.post("/api/tickets/T-1/status", json={"status": "review"}, headers=quoted(read_earlier))

    reloaded = client.get("/api/tickets/T-1")
    retried = client.post(
        "/api/tickets/T-1/status",
        json={"status": "review"},
        headers={"If-Match": reloaded.headers["ETag"]},
    )

    assert reloaded.json["status"] == "blocked"
    assert retried.status_code == 200


def test_a_ticket_another_replica_moved_is_found_at_its_new_path(
    make_app: Callable[..., Flask], ticket_tree: TicketTree
):
    client = make_app(organize_completed=True).test_client()
    read_earlier = etag_of(ticket_tree.read("T-1.md"))
    moved = ticket_tree.tickets / "completed" / "T-1.md"  # where organizing puts it
    moved.parent.mkdir()
    (ticket_tree.tickets / "T-1.md").rename(moved)

    response = client.post(
        "/api/tickets/T-1/status", json={"status": "done"}, headers=quoted(read_earlier)
    )

    assert response.status_code == 200
    assert response.json["path"] == ticket_tree.name("completed/T-1.md")
    assert parse_ticket(moved.read_bytes(), "T-1.md").status == "done"


def test_a_ticket_moved_under_a_free_name_is_found(client, ticket_tree: TicketTree):
    ticket_tree.add("completed/backend/T-2.md", "T-20", "done")  # T-2.md was taken there
    moved = ticket_tree.tickets / "completed" / "backend" / "T-2-2.md"
    (ticket_tree.tickets / "backend" / "T-2.md").rename(moved)

    response = client.post("/api/tickets/T-2/status", json={"status": "review"})

    assert response.status_code == 200
    assert response.json["path"] == ticket_tree.name("completed/backend/T-2-2.md")


def test_a_ticket_whose_move_the_index_saw_only_half_of_is_found(
    app: Flask, client, ticket_tree: TicketTree
):
    old = ticket_tree.tickets / "backend" / "T-3.md"  # done, and organized by another replica
    (ticket_tree.tickets / "completed" / "backend").mkdir(parents=True)
    old.rename(ticket_tree.tickets / "completed" / "backend" / "T-3.md")
    services_of(app).store.refresh([old])  # the watcher saw it leave, not arrive

    response = client.get("/api/tickets/T-3")

    assert response.status_code == 200
    assert response.json["path"] == ticket_tree.name("completed/backend/T-3.md")


def test_a_ticket_that_is_gone_is_still_404(client, ticket_tree: TicketTree):
    (ticket_tree.tickets / "T-1.md").unlink()

    assert client.post("/api/tickets/T-1/status", json={"status": "done"}).status_code == 404
    assert client.get("/api/tickets/T-1").status_code == 404
    assert client.get("/api/tickets/T-99").status_code == 404


REPLICA_WRITERS = 12  # split between the two processes
# Rounds of the race, each from the ETag the last left; closing and reopening moves the file
# into completed/ and back, so the losers' indexes also point at a path that is gone.
REPLICA_ROUNDS = ("done", "open", "done", "open", "done", "open")


def post_when_released(port: int, status: str, etag: str, start: threading.Barrier) -> int:
    """POST a status change with If-Match on a connection opened beforehand, all at once."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.connect()
    start.wait()
    connection.request(
        "POST",
        "/api/tickets/T-1/status",
        body=json.dumps({"status": status}),
        headers={"If-Match": etag, "Content-Type": "application/json"},
    )
    with connection.getresponse() as response:
        response.read()
        code = response.status
    connection.close()
    return code


def race_round(ports: list[int], status: str, etag: str) -> Counter[int]:
    start = threading.Barrier(len(ports))
    with ThreadPoolExecutor(len(ports)) as pool:
        return Counter(pool.map(lambda port: post_when_released(port, status, etag, start), ports))


def read_ticket(port: int) -> tuple[str, str]:
    """(status, ETag) of T-1 as the replica on `port` has it indexed."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/tickets/T-1", timeout=5) as answer:
        return str(json.load(answer)["status"]), str(answer.headers["ETag"])


def expected_registry(tree: TicketTree) -> str:
    index = TicketIndex()
    index.replace_all(scan_tree(tree.root))
    return render_registry(index.tickets(), index.invalid())


def registry_identity(tree: TicketTree) -> tuple[int, int]:
    info = tree.registry.stat()
    return info.st_ino, info.st_mtime_ns


def sync(port: int) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/sync", method="POST")
    urllib.request.urlopen(request, timeout=30).close()


@pytest.mark.timeout(120)
def test_one_winner_per_etag_across_two_server_processes(ticket_tree: TicketTree, tmp_path):
    original = ticket_tree.read("T-1.md")
    # Threads enough that every writer is admitted at once.
    replica = {"DASHBOARD_THREADS": "64", "DASHBOARD_ORGANIZE_COMPLETED": "true"}
    with (
        running_dashboard(ticket_tree, tmp_path, **replica) as first,
        running_dashboard(ticket_tree, tmp_path, **replica) as second,
    ):
        ports = [first, second] * (REPLICA_WRITERS // 2)
        rounds = []
        for status in REPLICA_ROUNDS:
            etag = read_ticket(first)[1]
            rounds.append(race_round(ports, status, etag))
            # The next round starts from the new ETag, once both replicas have seen it.
            assert wait_until(lambda: read_ticket(first) == read_ticket(second), timeout=10)

        assert rounds == [{200: 1, 412: REPLICA_WRITERS - 1}] * len(REPLICA_ROUNDS)
        # Both replicas render the registry the tree gives, and then neither rewrites it.
        assert wait_until(
            lambda: ticket_tree.registry.read_text() == expected_registry(ticket_tree)
        )
        registry = registry_identity(ticket_tree)
        sync(first)
        sync(second)
        assert registry_identity(ticket_tree) == registry

    final = REPLICA_ROUNDS[-1]
    assert [name for name, e in scan_tree(ticket_tree.root).items() if e.id == "T-1"] == [
        ticket_tree.name("T-1.md")
    ]
    written = ticket_tree.read("T-1.md")
    ticket = parse_ticket(written, "T-1.md")
    assert isinstance(ticket, Ticket) and ticket.status == final
    # Only ever the status and `updated` lines changed: every other byte is the original's.
    assert written == rewrite_status(original, final, ticket.updated)
    audit = [json.loads(line) for line in (tmp_path / "data" / "audit.log").open()]
    assert [(r["id"], r["to"]) for r in audit] == [("T-1", status) for status in REPLICA_ROUNDS]
    assert all(prev["to"] == rec["from"] for prev, rec in itertools.pairwise(audit))
