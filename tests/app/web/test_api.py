"""The ticket API: listing, filters, paging, ETags and status changes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboard.tickets.parse import etag_of
from tests.app.ticket_helpers import TicketTree


def ids(response) -> list[str]:
    return [item["id"] for item in response.json["items"]]


def test_list_returns_all_valid_tickets_in_id_order(client: FlaskClient):
    response = client.get("/api/tickets")

    assert response.status_code == 200
    assert ids(response) == ["T-1", "T-2", "T-3", "T-4"]
    assert response.json["total"] == 4 and response.json["limit"] == 50


def test_numeric_part_of_ids_sorts_numerically(client: FlaskClient, app: Flask, ticket_tree):
    ticket_tree.add("T-10.md", "T-10")
    client.post("/api/sync")

    assert ids(client.get("/api/tickets"))[-2:] == ["T-4", "T-10"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", ["T-1"]),
        ("priority=low", ["T-3"]),
        ("assignee=bob", ["T-2"]),
        ("tag=api", ["T-1", "T-2"]),
        ("q=PORT+SCAN", ["T-3"]),  # body, case-insensitive
        ("q=ticket+t-4", ["T-4"]),  # title
        ("tag=api&assignee=alice", ["T-1"]),
        ("status=blocked", []),
    ],
)
def test_filters(client: FlaskClient, query: str, expected: list[str]):
    assert ids(client.get(f"/api/tickets?{query}")) == expected


def test_limit_and_offset_page_through(client: FlaskClient):
    response = client.get("/api/tickets?limit=2&offset=1")

    assert ids(response) == ["T-2", "T-3"]
    assert response.json["total"] == 4


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=501",
        "limit=abc",
        "limit=-1",
        "offset=-3",
        "offset=x",
        "status=later",
        "priority=urgent",
        "limit=1.5",
    ],
)
def test_bad_query_values_are_400_with_message(client: FlaskClient, query: str):
    response = client.get(f"/api/tickets?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json["message"]


def test_limit_500_is_allowed(client: FlaskClient):
    assert client.get("/api/tickets?limit=500").status_code == 200


def test_get_ticket_has_body_and_etag_of_file_bytes(client: FlaskClient, ticket_tree: TicketTree):
    response = client.get("/api/tickets/T-3")

    assert response.status_code == 200
    assert response.json["body"] == "Fixed the flaky Port scan.\n"
    assert response.get_etag() == (etag_of(ticket_tree.read("backend/T-3.md")), False)


def test_if_none_match_gives_304(client: FlaskClient):
    etag = client.get("/api/tickets/T-1").headers["ETag"]

    response = client.get("/api/tickets/T-1", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["ETag"] == etag


def test_stale_if_none_match_gives_200(client: FlaskClient):
    response = client.get("/api/tickets/T-1", headers={"If-None-Match": '"stale"'})

    assert response.status_code == 200


def test_unknown_ticket_is_404(client: FlaskClient):
    response = client.get("/api/tickets/T-999")

    assert response.status_code == 404
    assert "T-999" in response.json["message"]


@pytest.mark.parametrize("bad_id", ["t-1", "T1", "T-1a", "..", "T-1.md", "T-1%0A", "T-1%00"])
def test_malformed_id_is_400(client: FlaskClient, bad_id: str):
    assert client.get(f"/api/tickets/{bad_id}").status_code == 400
    assert client.post(f"/api/tickets/{bad_id}/status", json={"status": "done"}).status_code == 400


def test_path_like_id_never_reaches_the_file_system(client: FlaskClient):
    response = client.get("/api/tickets/..%2F..%2F..%2Fetc%2Fpasswd")

    assert response.status_code == 404
    assert "root:" not in response.get_data(as_text=True)
    assert response.json["message"]


def test_duplicate_id_is_409_naming_the_files(client: FlaskClient, ticket_tree: TicketTree):
    ticket_tree.add("again/T-1.md", "T-1")
    client.post("/api/sync")

    response = client.get("/api/tickets/T-1")

    assert response.status_code == 409
    assert ticket_tree.name("again/T-1.md") in response.json["paths"]


def test_status_change_writes_file_and_returns_new_ticket(
    client: FlaskClient, ticket_tree: TicketTree
):
    response = client.post("/api/tickets/T-1/status", json={"status": "review"})

    assert response.status_code == 200
    assert response.json["status"] == "review"
    assert b"\nstatus: review\n" in ticket_tree.read("T-1.md")
    assert response.get_etag()[0] == etag_of(ticket_tree.read("T-1.md"))


def test_status_change_with_current_if_match_succeeds(client: FlaskClient):
    etag = client.get("/api/tickets/T-1").headers["ETag"]

    response = client.post(
        "/api/tickets/T-1/status", json={"status": "done"}, headers={"If-Match": etag}
    )

    assert response.status_code == 200


def test_status_change_with_stale_if_match_is_412(client: FlaskClient, ticket_tree: TicketTree):
    etag = client.get("/api/tickets/T-1").headers["ETag"]
    ticket_tree.add("T-1.md", "T-1", title="Edited on disk meanwhile")  # index not refreshed

    response = client.post(
        "/api/tickets/T-1/status", json={"status": "done"}, headers={"If-Match": etag}
    )

    assert response.status_code == 412
    assert b"status: open" in ticket_tree.read("T-1.md")


@pytest.mark.parametrize(
    "body",
    [{"status": "finished"}, {"state": "done"}, {"status": 3}, ["done"], "done"],
)
def test_bad_status_body_is_400(client: FlaskClient, body: object):
    response = client.post("/api/tickets/T-1/status", json=body)

    assert response.status_code == 400
    assert response.json["message"]


def test_non_json_body_is_400(client: FlaskClient):
    response = client.post("/api/tickets/T-1/status", data="status=done")

    assert response.status_code == 400


def test_status_change_of_unknown_ticket_is_404(client: FlaskClient):
    response = client.post("/api/tickets/T-404/status", json={"status": "done"})

    assert response.status_code == 404


def test_same_status_is_a_no_op(client: FlaskClient, ticket_tree: TicketTree):
    before = ticket_tree.read("T-1.md")

    response = client.post("/api/tickets/T-1/status", json={"status": "open"})

    assert response.status_code == 200
    assert ticket_tree.read("T-1.md") == before


def test_status_change_is_audited(client: FlaskClient, make_settings):
    client.post("/api/tickets/T-2/status", json={"status": "blocked"})

    lines = (make_settings().data_dir / "audit.log").read_text().splitlines()
    record = json.loads(lines[-1])
    assert {k: record[k] for k in ("id", "from", "to", "actor")} == {
        "id": "T-2",
        "from": "in_progress",
        "to": "blocked",
        "actor": "anonymous",
    }
    assert record["ts"] and record["remote_addr"] == "127.0.0.1"


class TestToken:
    TOKEN = "s3cret-token"

    @pytest.fixture
    def secured(self, make_app: Callable[..., Flask]) -> FlaskClient:
        return make_app(api_token=self.TOKEN).test_client()

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": "Bearer"},
        ],
    )
    def test_write_without_valid_token_is_401(self, secured: FlaskClient, headers: dict):
        status = secured.post("/api/tickets/T-1/status", json={"status": "done"}, headers=headers)
        sync = secured.post("/api/sync", headers=headers)

        assert (status.status_code, sync.status_code) == (401, 401)
        assert status.json["message"] and "Bearer" in status.headers["WWW-Authenticate"]

    def test_write_with_token_succeeds_and_audits_actor(self, secured: FlaskClient, make_settings):
        headers = {"Authorization": f"Bearer {self.TOKEN}"}

        response = secured.post("/api/tickets/T-1/status", json={"status": "done"}, headers=headers)

        assert response.status_code == 200
        audit = (make_settings().data_dir / "audit.log").read_text()
        assert '"actor": "api-token"' in audit

    def test_reads_need_no_token(self, secured: FlaskClient):
        assert secured.get("/api/tickets").status_code == 200


def test_sync_rescans_and_reports(client: FlaskClient, ticket_tree: TicketTree):
    ticket_tree.add("T-5.md", "T-5")
    ticket_tree.write("bad.md", "nope")

    response = client.post("/api/sync")

    assert response.status_code == 200
    assert (response.json["tickets"], response.json["invalid"]) == (5, 1)
    assert response.json["duration_seconds"] >= 0
