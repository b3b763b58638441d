"""Incremental refresh: created, modified, deleted and moved files and folders."""

from __future__ import annotations

import shutil

from flask import Flask

from dashboard.services import services_of
from dashboard.tickets.store import TicketStore
from tests.app.ticket_helpers import TicketTree, ticket_text


def store_of(app: Flask) -> TicketStore:
    return services_of(app).store


def test_initial_scan_indexes_the_seed_tree(app: Flask):
    store = store_of(app)

    assert [t.id for t in store.index.tickets()] == ["T-1", "T-2", "T-3", "T-4"]
    assert store.last_sync is not None and store.last_sync.tickets == 4


def test_created_file_is_added(app: Flask, ticket_tree: TicketTree):
    path = ticket_tree.add("new/T-5.md", "T-5")

    changes = store_of(app).refresh([path])

    assert [(c.kind, c.id) for c in changes] == [("added", "T-5")]
    assert store_of(app).index.lookup("T-5").ticket is not None


def test_modified_file_is_updated(app: Flask, ticket_tree: TicketTree):
    path = ticket_tree.add("T-1.md", "T-1", "review")

    changes = store_of(app).refresh([path])

    assert [(c.kind, c.id) for c in changes] == [("updated", "T-1")]
    assert store_of(app).index.lookup("T-1").ticket.status == "review"


def test_unchanged_file_gives_no_change(app: Flask, ticket_tree: TicketTree):
    assert store_of(app).refresh([ticket_tree.tickets / "T-1.md"]) == []


def test_deleted_file_is_removed(app: Flask, ticket_tree: TicketTree):
    path = ticket_tree.tickets / "T-1.md"
    path.unlink()

    changes = store_of(app).refresh([path])

    assert [(c.kind, c.id) for c in changes] == [("removed", "T-1")]


def test_deleted_folder_removes_everything_below(app: Flask, ticket_tree: TicketTree):
    shutil.rmtree(ticket_tree.tickets / "backend")

    store_of(app).refresh([ticket_tree.tickets / "backend"])

    assert [t.id for t in store_of(app).index.tickets()] == ["T-1", "T-4"]


def test_moved_folder_is_reindexed_under_new_path(app: Flask, ticket_tree: TicketTree):
    old, new = ticket_tree.tickets / "backend", ticket_tree.tickets / "server"
    old.rename(new)

    store_of(app).refresh([old, new])

    assert store_of(app).index.lookup("T-2").ticket.path == ticket_tree.name("server/T-2.md")


def test_file_becoming_invalid_is_listed(app: Flask, ticket_tree: TicketTree):
    path = ticket_tree.write("T-1.md", "---\nid: T-1\ntitle: x\nstatus: later\n---\n")

    changes = store_of(app).refresh([path])

    assert [c.kind for c in changes] == ["invalid"]
    assert [e.path for e in store_of(app).index.invalid()] == [ticket_tree.name("T-1.md")]


def test_duplicate_created_later_invalidates_both(app: Flask, ticket_tree: TicketTree):
    path = ticket_tree.write("copy-of-T-1.md", ticket_text("T-1"))

    store_of(app).refresh([path])

    assert store_of(app).index.lookup("T-1").duplicate_paths == (
        ticket_tree.name("T-1.md"),
        ticket_tree.name("copy-of-T-1.md"),
    )


def test_paths_outside_tickets_folder_are_ignored(app: Flask, ticket_tree: TicketTree):
    changes = store_of(app).refresh([ticket_tree.registry, ticket_tree.root / "planning"])

    assert changes == []
    assert len(store_of(app).index.tickets()) == 4


def test_changes_are_published_to_the_feed(app: Flask, ticket_tree: TicketTree):
    subscription = services_of(app).feed.subscribe()
    path = ticket_tree.add("T-9.md", "T-9")

    store_of(app).refresh([path])

    event = subscription.get(timeout=1)
    assert event is not None
    assert event.data == {"type": "added", "id": "T-9", "path": ticket_tree.name("T-9.md")}
