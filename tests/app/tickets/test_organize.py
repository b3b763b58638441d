"""With ORGANIZE_COMPLETED, closing a ticket moves it to completed/ and reopening moves it back."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Flask

from dashboard.tickets.organize import possible_locations
from tests.app.ticket_helpers import TicketTree


def post_status(app: Flask, ticket_id: str, status: str):
    return app.test_client().post(f"/api/tickets/{ticket_id}/status", json={"status": status})


def test_done_ticket_moves_into_completed_keeping_sub_path(
    make_app: Callable[..., Flask], ticket_tree: TicketTree
):
    app = make_app(organize_completed=True)

    response = post_status(app, "T-2", "done")

    assert response.status_code == 200
    assert response.json["path"] == ticket_tree.name("completed/backend/T-2.md")
    assert not (ticket_tree.tickets / "backend/T-2.md").exists()
    assert b"status: done" in ticket_tree.read("completed/backend/T-2.md")


def test_reopened_ticket_moves_back_out(make_app: Callable[..., Flask], ticket_tree: TicketTree):
    app = make_app(organize_completed=True)
    post_status(app, "T-1", "cancelled")

    response = post_status(app, "T-1", "open")

    assert response.json["path"] == ticket_tree.name("T-1.md")
    assert not (ticket_tree.tickets / "completed/T-1.md").exists()
    assert b"status: open" in ticket_tree.read("T-1.md")


def test_move_never_overwrites_an_existing_file(
    make_app: Callable[..., Flask], ticket_tree: TicketTree
):
    ticket_tree.write("completed/T-1.md", b"someone else's notes, not a ticket\n")
    app = make_app(organize_completed=True)

    response = post_status(app, "T-1", "done")

    assert response.json["path"] == ticket_tree.name("completed/T-1-2.md")
    assert ticket_tree.read("completed/T-1.md") == b"someone else's notes, not a ticket\n"


def test_closed_to_closed_does_not_move(make_app: Callable[..., Flask], ticket_tree: TicketTree):
    app = make_app(organize_completed=True)
    post_status(app, "T-1", "done")

    response = post_status(app, "T-1", "cancelled")

    assert response.json["path"] == ticket_tree.name("completed/T-1.md")


def test_without_organize_files_stay_put(app: Flask, ticket_tree: TicketTree):
    response = post_status(app, "T-2", "done")

    assert response.json["path"] == ticket_tree.name("backend/T-2.md")
    assert not (ticket_tree.tickets / "completed").exists()


def test_move_is_in_the_audit_log(make_app: Callable[..., Flask], make_settings):
    app = make_app(organize_completed=True)

    post_status(app, "T-2", "done")

    audit = make_settings().data_dir / "audit.log"
    record = json.loads(audit.read_text().splitlines()[-1])
    assert record["previous_path"] == "planning/tickets/backend/T-2.md"
    assert record["path"] == "planning/tickets/completed/backend/T-2.md"


def test_possible_locations_are_the_path_its_counterpart_and_free_names(ticket_tree: TicketTree):
    ticket_tree.add("completed/backend/T-2-2.md", "T-2", "done")
    ticket_tree.add("completed/backend/T-2-x.md", "T-9")  # not a name the mover picks
    tickets = ticket_tree.tickets

    found = possible_locations(ticket_tree.root, tickets / "backend" / "T-2.md")
    back = possible_locations(ticket_tree.root, tickets / "completed" / "T-1.md")

    completed = tickets / "completed" / "backend"
    assert found == [tickets / "backend/T-2.md", completed / "T-2.md", completed / "T-2-2.md"]
    assert back == [tickets / "completed/T-1.md", tickets / "T-1.md"]
    assert possible_locations(ticket_tree.root, ticket_tree.registry) == []
