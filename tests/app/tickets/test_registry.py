"""TICKET_REGISTRY.md: deterministic, atomic, and rewritten only when its content changes."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from dashboard.services import services_of
from dashboard.tickets.registry import render_registry
from tests.app.ticket_helpers import TicketTree


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


def test_registry_write_leaves_no_temp_files(app: Flask, ticket_tree: TicketTree):
    names = sorted(p.name for p in (ticket_tree.root / "planning").iterdir())

    assert names == ["TICKET_REGISTRY.md", "tickets"]
