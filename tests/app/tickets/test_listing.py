"""Pages of GET /api/tickets come from views kept per index version, not a pass per request."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboard.services import services_of
from dashboard.tickets.model import Ticket
from dashboard.tickets.query import TicketQuery
from tests.app.ticket_helpers import TicketTree


@pytest.fixture
def as_dict_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id of every ticket turned into a dict (for JSON) from now on."""
    calls: list[str] = []
    real = Ticket.as_dict

    def counting(self: Ticket, **kwargs: bool) -> dict:
        calls.append(self.id)
        return real(self, **kwargs)

    monkeypatch.setattr(Ticket, "as_dict", counting)
    return calls


@pytest.fixture
def matches_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id of every ticket a query was checked against from now on."""
    calls: list[str] = []
    real = TicketQuery.matches

    def counting(self: TicketQuery, ticket: Ticket) -> bool:
        calls.append(ticket.id)
        return real(self, ticket)

    monkeypatch.setattr(TicketQuery, "matches", counting)
    return calls


def test_repeated_page_is_not_serialized_again(client: FlaskClient, as_dict_calls: list[str]):
    first = client.get("/api/tickets?limit=2")
    calls_after_first = len(as_dict_calls)

    second = client.get("/api/tickets?limit=2")

    assert second.data == first.data
    assert len(as_dict_calls) == calls_after_first


@pytest.mark.parametrize("query", ["status=open", "priority=low", "assignee=bob", "tag=api"])
def test_one_exact_filter_checks_no_ticket(
    client: FlaskClient, matches_calls: list[str], query: str
):
    response = client.get(f"/api/tickets?{query}")

    assert response.status_code == 200 and response.json["items"]
    assert matches_calls == []


def test_page_follows_an_index_change(app: Flask, client: FlaskClient, ticket_tree: TicketTree):
    client.get("/api/tickets?status=blocked")
    path = ticket_tree.add("T-1.md", "T-1", "blocked")

    services_of(app).store.refresh([path])

    assert [t["id"] for t in client.get("/api/tickets?status=blocked").json["items"]] == ["T-1"]


def test_page_has_an_etag_and_if_none_match_gives_304(client: FlaskClient):
    etag = client.get("/api/tickets?limit=2").headers["ETag"]

    response = client.get("/api/tickets?limit=2", headers={"If-None-Match": etag})

    assert response.status_code == 304


def test_etag_changes_with_the_page(app: Flask, client: FlaskClient, ticket_tree: TicketTree):
    before = client.get("/api/tickets").headers["ETag"]
    services_of(app).store.refresh([ticket_tree.add("T-1.md", "T-1", "review")])

    after = client.get("/api/tickets").headers["ETag"]

    assert after != before


def test_tag_listed_twice_selects_the_ticket_once(
    app: Flask, client: FlaskClient, ticket_tree: TicketTree
):
    services_of(app).store.refresh([ticket_tree.add("T-5.md", "T-5", extra="tags: [ui, ui]")])

    response = client.get("/api/tickets?tag=ui")

    assert [t["id"] for t in response.json["items"]] == ["T-1", "T-5"]
    assert response.json["total"] == 2
