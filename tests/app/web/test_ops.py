"""Health, readiness, status, resource metrics and Prometheus exposition."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboard.services import services_of
from tests.app.ticket_helpers import TicketTree


def test_health_is_ok(client: FlaskClient):
    response = client.get("/health")

    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_health_does_no_file_io(client: FlaskClient, monkeypatch: pytest.MonkeyPatch):
    def no_io(*args: object, **kwargs: object) -> None:
        raise AssertionError("/health touched the file system")

    monkeypatch.setattr("builtins.open", no_io)
    monkeypatch.setattr("os.stat", no_io)
    monkeypatch.setattr("os.access", no_io)

    assert client.get("/health").status_code == 200


def test_ready_when_everything_is_in_place(client: FlaskClient):
    response = client.get("/ready")

    assert response.status_code == 200
    assert all(check["ok"] for check in response.json["checks"].values())


def test_not_ready_lists_failing_checks(make_app: Callable[..., Flask], tmp_path: Path):
    app = make_app(tickets_dir=tmp_path / "missing", data_dir=tmp_path / "no-data-dir")

    response = app.test_client().get("/ready")

    assert response.status_code == 503
    assert set(response.json["failing"]) == {"tickets_dir", "data_dir"}
    assert "not ready" in response.json["message"]


def test_not_ready_while_draining_but_serving_the_rest(app: Flask):
    services_of(app).draining.set()  # what the server does on SIGTERM
    client = app.test_client()

    response = client.get("/ready")

    assert response.status_code == 503
    assert response.json["failing"] == ["draining"]
    assert client.get("/api/tickets").status_code == 200
    assert client.get("/health").status_code == 200


def test_not_ready_when_watcher_is_dead(make_app: Callable[..., Flask]):
    app = make_app(watch=True)
    services_of(app).watcher.stop()

    response = app.test_client().get("/ready")

    assert response.status_code == 503
    assert response.json["failing"] == ["watcher"]


def test_status_reports_counts_invalid_sync_and_watcher(
    make_app: Callable[..., Flask], ticket_tree: TicketTree
):
    ticket_tree.write("broken.md", "---\nid: B-1\n---\n")
    client = make_app().test_client()

    body = client.get("/api/status").json

    assert body["counts"]["tickets"] == 4 and body["counts"]["invalid"] == 1
    assert body["counts"]["by_status"]["open"] == 1
    assert body["invalid"][0]["path"] == ticket_tree.name("broken.md")
    assert "title: required" in body["invalid"][0]["reason"]
    assert body["sync"]["last_at"] and body["sync"]["duration_seconds"] >= 0
    assert body["watcher"] == {"enabled": False, "mode": None, "alive": False, "error": None}


def test_status_backup_is_null_before_first_backup(client: FlaskClient):
    assert client.get("/api/status").json["backup"] is None


def test_status_shows_backup_job_report(
    make_app: Callable[..., Flask], make_settings, tmp_path: Path
):
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    report = {
        "last_success": "2025-09-01T02:00:00+00:00",
        "last_archive": "tickets-20250901T020000Z.tar.gz",
        "size_bytes": 2048,
        "duration_seconds": 0.4,
        "last_error": None,
        "updated_at": "2025-09-01T02:00:00+00:00",
    }
    (backup_dir / "backup-status.json").write_text(json.dumps(report))

    body = make_app().test_client().get("/api/status").json

    assert body["backup"] == report


def test_status_reports_unreadable_backup_file(make_app: Callable[..., Flask], tmp_path: Path):
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "backup-status.json").write_text("{not json")

    body = make_app().test_client().get("/api/status").json

    assert "does not hold a JSON object" in body["backup"]["error"]


def test_status_shows_monitor_heartbeat_age(make_app: Callable[..., Flask], tmp_path: Path):
    heartbeat = tmp_path / "heartbeat.json"
    ts = (datetime.now(UTC) - timedelta(seconds=30)).isoformat()
    replicas = {"replica-1": {"state": "down", "detail": "refused"}}
    heartbeat.write_text(json.dumps({"ts": ts, "state": "ok", "replicas": replicas}))

    body = make_app(monitor_heartbeat_file=heartbeat).test_client().get("/api/status").json

    assert body["monitor"]["ts"] == ts and body["monitor"]["state"] == "ok"
    assert body["monitor"]["replicas"] == replicas
    assert 29 <= body["monitor"]["age_seconds"] < 60


def test_status_monitor_is_null_when_not_configured(client: FlaskClient):
    assert client.get("/api/status").json["monitor"] is None


def test_api_metrics_has_process_and_index_figures(client: FlaskClient):
    body = client.get("/api/metrics").json

    assert body["rss_bytes"] > 1_000_000
    assert body["cpu_seconds"] >= 0 and body["uptime_seconds"] >= 0
    assert body["tickets_indexed"] == 4
    assert body["last_sync_duration_seconds"] >= 0
    assert body["watcher_alive"] is False
    assert set(body["cgroup"]) == {
        "version",
        "memory_usage_bytes",
        "memory_limit_bytes",
        "cpu_limit_cores",
    }


def test_prometheus_exposition(client: FlaskClient):
    client.get("/health")

    response = client.get("/metrics")

    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert 'dashboard_tickets{status="open"} 1.0' in text
    assert "dashboard_invalid_tickets 0.0" in text
    assert 'dashboard_http_requests_total{method="GET",route="/health",status="200"} 1.0' in text
    assert "process_resident_memory_bytes" in text


def test_each_app_has_its_own_metrics_registry(make_app: Callable[..., Flask]):
    first, second = make_app().test_client(), make_app().test_client()

    for _ in range(3):
        first.get("/health")

    text = second.get("/metrics").get_data(as_text=True)
    assert 'route="/health"' not in text


def test_work_metrics(client: FlaskClient):
    body = client.get("/api/registry/metrics").json

    assert body["by_status"] == {
        "open": 1,
        "in_progress": 1,
        "blocked": 0,
        "review": 0,
        "done": 1,
        "cancelled": 1,
    }
    assert body["completion_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert body["open_by_priority"] == {"critical": 0, "high": 1, "medium": 1, "low": 0}
    assert body["median_open_age_days"] > 0
    assert body["done_last_7_days"] == 0
