"""Operations endpoints: liveness, readiness, status, resource metrics, Prometheus."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dashboard.services import Services, services_of
from dashboard.sidecars import read_backup_status, read_monitor_heartbeat
from dashboard.tickets.model import PRIORITIES, STATUSES
from dashboard.tickets.work_stats import count_by
from dashboard.web.errors import error_response

blueprint = Blueprint("ops", __name__)


@blueprint.get("/health")
def health() -> Response:
    """Liveness: answers without touching disk or locks."""
    return jsonify(status="ok")


@blueprint.get("/ready")
def ready() -> Response:
    checks = readiness_checks(services_of())
    failing = [name for name, check in checks.items() if not check["ok"]]
    if failing:
        return error_response(
            503, f"not ready: {', '.join(failing)}", checks=checks, failing=failing
        )
    return jsonify(status="ready", checks=checks)


def readiness_checks(services: Services) -> dict[str, dict[str, Any]]:
    data_dir = services.settings.data_dir
    data_ok = data_dir.is_dir() and os.access(data_dir, os.W_OK | os.X_OK)
    tickets_problem = services.store.check_tickets_dir()
    checks = {
        "tickets_dir": _check(tickets_problem is None, tickets_problem),
        "data_dir": _check(data_ok, None if data_ok else f"{data_dir} is not a writable folder"),
        "index": _check(
            services.store.is_indexed,
            services.index_error or "indexing: the first full scan has not finished",
        ),
    }
    if services.watcher is not None:
        alive = services.watcher.is_alive()
        checks["watcher"] = _check(alive, services.watcher.error or "the watcher is not running")
    # Failing from the moment SIGTERM arrives, so that the proxy routes new requests to the
    # other replicas while this one still serves what it is sent (DASHBOARD_DRAIN_SECONDS).
    checks["draining"] = _check(
        not services.draining.is_set(), "stopping: SIGTERM received, serving until the drain ends"
    )
    return checks


def _check(ok: bool, problem: str | None) -> dict[str, Any]:
    return {"ok": ok, "detail": None if ok else problem}


@blueprint.get("/api/status")
def status() -> Response:
    services = services_of()
    store, settings = services.store, services.settings
    tickets, invalid = store.index.tickets(), store.index.invalid()
    sync = store.last_sync
    return jsonify(
        counts={
            "files": store.index.size(),
            "tickets": len(tickets),
            "invalid": len(invalid),
            "by_status": count_by(tickets, "status", STATUSES),
            "by_priority": count_by(tickets, "priority", PRIORITIES),
        },
        invalid=[entry.as_dict() for entry in invalid],
        sync={
            "last_at": sync.finished_at.isoformat() if sync else None,
            "duration_seconds": sync.duration_seconds if sync else None,
        },
        watcher=services.watcher_state(),
        registry={"path": str(store.registry_path), "error": store.registry_error},
        backup=read_backup_status(settings.backup_dir),
        monitor=read_monitor_heartbeat(settings.monitor_heartbeat_file, datetime.now(UTC)),
        organize_completed=settings.organize_completed,
        token_required=settings.api_token is not None,
    )


@blueprint.get("/api/metrics")
def process_metrics() -> Response:
    services = services_of()
    sync = services.store.last_sync
    return jsonify(
        **services.process.snapshot(),
        tickets_indexed=len(services.store.index.tickets()),
        files_indexed=services.store.index.size(),
        last_sync_duration_seconds=sync.duration_seconds if sync else None,
        watcher_alive=services.watcher_alive(),
        sse_subscribers=services.feed.subscriber_count,
    )


@blueprint.get("/metrics")
def prometheus() -> Response:
    body = generate_latest(services_of().prometheus.registry)
    return Response(body, content_type=CONTENT_TYPE_LATEST)
