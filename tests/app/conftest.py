"""Fixtures for the dashboard web app: a temporary ticket tree, settings, app and client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboard.app import create_app, start_services, stop_services
from dashboard.services import services_of
from dashboard.settings import Settings
from tests.app.ticket_helpers import TicketTree

INDEX_TIMEOUT_SECONDS = 10

# The tree every app test starts from; tests add or change files as they need.
SEED_TICKETS = {
    "T-1.md": dict(
        ticket_id="T-1",
        status="open",
        priority="high",
        extra="assignee: alice\ntags: [api, ui]\ncreated: 2025-08-01",
    ),
    "backend/T-2.md": dict(
        ticket_id="T-2",
        status="in_progress",
        extra="assignee: bob\ntags: [api]\ncreated: 2025-08-05",
    ),
    "backend/T-3.md": dict(
        ticket_id="T-3", status="done", priority="low", body="Fixed the flaky Port scan.\n"
    ),
    "T-4.md": dict(ticket_id="T-4", status="cancelled"),
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DASHBOARD_* variable from the outer shell leaks into a test's settings."""
    import os

    for name in list(os.environ):
        if name.startswith("DASHBOARD_"):
            monkeypatch.delenv(name)


@pytest.fixture
def empty_tree(tmp_path: Path) -> TicketTree:
    return TicketTree(tmp_path / "tickets-root")


@pytest.fixture
def ticket_tree(empty_tree: TicketTree) -> TicketTree:
    for relative, fields in SEED_TICKETS.items():
        empty_tree.add(relative, **fields)
    return empty_tree


@pytest.fixture
def make_settings(
    ticket_tree: TicketTree, tmp_path: Path, clean_env: None
) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "tickets_dir": ticket_tree.root,
            "data_dir": tmp_path / "data",
            "backup_dir": tmp_path / "backups",
            "watch": False,
        }
        values.update(overrides)
        (tmp_path / "data").mkdir(exist_ok=True)
        return Settings(**values)

    return build


@pytest.fixture
def make_app(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., Flask]]:
    """Started apps built from settings overrides; all are stopped after the test."""
    apps: list[Flask] = []

    def build(*, wait_indexed: bool = True, **overrides: Any) -> Flask:
        app = start_services(create_app(make_settings(**overrides)))
        app.config["TESTING"] = True
        apps.append(app)
        # The first scan runs in the background; most tests read the index right away.
        if wait_indexed:
            assert services_of(app).store.wait_indexed(INDEX_TIMEOUT_SECONDS)
        return app

    yield build
    for app in apps:
        stop_services(app)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
