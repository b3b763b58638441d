"""A read-only tree answers status changes with a clear 403, never a 500."""

from __future__ import annotations

import errno

import dashboard.runtime.atomic


def test_read_only_setting_refuses_status_changes_with_403(make_app, ticket_tree):
    client = make_app(tickets_read_only=True).test_client()
    before = ticket_tree.read("T-1.md")

    response = client.post("/api/tickets/T-1/status", json={"status": "done"})

    assert response.status_code == 403
    assert "ticketsReadOnly" in response.json["message"]
    assert ticket_tree.read("T-1.md") == before


def test_a_read_only_mount_is_403_not_500(make_app, ticket_tree, monkeypatch):
    client = make_app().test_client()

    def read_only_fs(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(ticket_tree.root))

    monkeypatch.setattr(dashboard.runtime.atomic.tempfile, "mkstemp", read_only_fs)

    response = client.post("/api/tickets/T-1/status", json={"status": "done"})

    assert response.status_code == 403
    assert "read-only" in response.json["message"]
