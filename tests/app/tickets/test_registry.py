"""TICKET_REGISTRY.md: deterministic, atomic, and rewritten only when its content changes."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from dashboard.services import services_of
from dashboard.tickets.registry import render_registry
from dashboard.tickets.tree_locks import (
    LOCKS_DIRNAME,
    REGISTRY_LOCK_NAME,
    locks_dir,
    registry_lock_path,
)
from tests.app.ticket_helpers import TicketTree, lock_held_by_another_process


def registry_stat(tree: TicketTree) -> tuple[int, int]:
    info = tree.registry.stat()
    return info.st_ino, info.st_mtime_ns


def test_registry_lists_every_ticket_and_invalid_file(
    make_app: Callable[..., Flask], ticket_tree: TicketTree
):
    ticket_tree.write("broken.md", "no front matter\n")

    make_app()

    text = ticket_tree.registry.read_text()
    for ticket_id in ("T-1", "T-2", "T-3", "T-4"):
        assert f"[{ticket_id}]" in text
    assert "broken.md" in text and "first line must be '---'" in text


def test_registry_order_does_not_depend_on_scan_order(app: Flask):
    store = services_of(app).store
    tickets, invalid = store.index.tickets(), store.index.invalid()

    assert render_registry(tickets, invalid) == render_registry(reversed(tickets), invalid)


def test_rescan_without_changes_does_not_rewrite(app: Flask, ticket_tree: TicketTree):
    before = registry_stat(ticket_tree)

    services_of(app).store.sync()

    assert registry_stat(ticket_tree) == before


def test_body_only_edit_does_not_rewrite(app: Flask, ticket_tree: TicketTree):
    before = registry_stat(ticket_tree)
    ticket_tree.add(
        "T-1.md",
        "T-1",
        priority="high",
        body="A different body.\n",
        extra="assignee: alice\ntags: [api, ui]\ncreated: 2025-08-01",
    )

    changes = services_of(app).store.refresh([ticket_tree.tickets / "T-1.md"])

    assert changes  # the index did change ...
    assert registry_stat(ticket_tree) == before  # ... but not what the registry shows


def test_status_change_rewrites_registry(client, ticket_tree: TicketTree):
    before = ticket_tree.registry.read_text()

    client.post("/api/tickets/T-1/status", json={"status": "blocked"})

    after = ticket_tree.registry.read_text()
    assert after != before
    assert "## blocked (1)" in after


def test_registry_is_left_to_the_process_holding_its_lock(app: Flask, ticket_tree: TicketTree):
    store = services_of(app).store
    before = registry_stat(ticket_tree)
    edited = ticket_tree.add("T-1.md", "T-1", "blocked")

    with lock_held_by_another_process(registry_lock_path(ticket_tree.root)):
        assert store.refresh([edited])  # the index changed, the registry is another's to write

    assert registry_stat(ticket_tree) == before
    assert store.registry_error is None
    store.sync()  # once it is free, the next write is this process's again
    assert "## blocked (1)" in ticket_tree.registry.read_text()


def test_two_replicas_agree_on_the_registry_and_leave_it_alone(
    make_app: Callable[..., Flask], ticket_tree: TicketTree
):
    first, second = make_app(), make_app()  # two apps serving one tree, as replicas do
    first.test_client().post("/api/tickets/T-1/status", json={"status": "blocked"})
    written = registry_stat(ticket_tree)

    services_of(second).store.refresh([ticket_tree.tickets / "T-1.md"])  # its watcher catches up
    services_of(second).store.sync()
    services_of(first).store.sync()

    assert registry_stat(ticket_tree) == written
    assert "## blocked (1)" in ticket_tree.registry.read_text()


def test_registry_write_leaves_no_temp_files(app: Flask, ticket_tree: TicketTree):
    names = sorted(p.name for p in (ticket_tree.root / "planning").iterdir())

    # .locks holds the lock files replicas share (dashboard.tickets.tree_locks).
    assert names == [LOCKS_DIRNAME, "TICKET_REGISTRY.md", "tickets"]
    assert [p.name for p in locks_dir(ticket_tree.root).iterdir()] == [REGISTRY_LOCK_NAME]
