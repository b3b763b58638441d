"""The first full scan runs in the background: liveness at once, readiness after the scan."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from dashboard.services import services_of
from dashboard.tickets import store as store_module
from tests.app.ticket_helpers import wait_until


@pytest.fixture
def scan_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Every full scan waits until the test sets the returned event."""
    gate = threading.Event()
    real_scan = store_module.scan_tree

    def gated_scan(root: Path, start: Path | None = None) -> dict:
        gate.wait(10)
        return real_scan(root, start)

    monkeypatch.setattr(store_module, "scan_tree", gated_scan)
    yield gate
    gate.set()


@pytest.fixture
def indexing_app(make_app: Callable[..., Flask], scan_gate: threading.Event) -> Flask:
    """An app whose first scan has started and cannot finish until `scan_gate` is set."""
    return make_app(wait_indexed=False)


def test_health_answers_while_the_first_scan_runs(indexing_app: Flask):
    response = indexing_app.test_client().get("/health")

    assert response.status_code == 200
    assert not services_of(indexing_app).store.is_indexed


def test_ready_is_503_naming_the_scan_while_it_runs(indexing_app: Flask):
    response = indexing_app.test_client().get("/ready")

    assert response.status_code == 503
    assert response.json["failing"] == ["index"]
    assert "indexing" in response.json["checks"]["index"]["detail"]


def test_ready_is_200_once_the_first_scan_is_done(indexing_app: Flask, scan_gate: threading.Event):
    scan_gate.set()
    assert services_of(indexing_app).store.wait_indexed(10)

    response = indexing_app.test_client().get("/ready")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/tickets"),
        ("GET", "/api/tickets/T-1"),
        ("POST", "/api/tickets/T-1/status"),
        ("GET", "/api/registry/metrics"),
    ],
)
def test_ticket_api_is_503_with_retry_after_while_indexing(
    indexing_app: Flask, method: str, path: str
):
    response = indexing_app.test_client().open(path, method=method, json={"status": "done"})

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "indexing" in response.json["message"]


def test_status_page_answers_while_indexing(indexing_app: Flask):
    response = indexing_app.test_client().get("/api/status")

    assert response.status_code == 200
    assert response.json["sync"]["last_at"] is None


def test_failed_first_scan_is_named_by_ready(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
):
    def broken_scan(root: Path, start: Path | None = None) -> dict:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_module, "scan_tree", broken_scan)
    app = make_app(wait_indexed=False)
    assert wait_until(lambda: services_of(app).index_error is not None)

    response = app.test_client().get("/ready")

    assert response.status_code == 503
    assert "disk on fire" in response.json["checks"]["index"]["detail"]
