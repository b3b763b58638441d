"""The poller against a real HTTP server on 127.0.0.1 that can be flipped up and down."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dashboard.monitor.poller import TargetPoller
from tests.app.job_helpers import LocalHttpServer, RecordedRequest, local_http_server


class FakeDashboard:
    """/health and /api/metrics whose answers the test changes between polls."""

    def __init__(self) -> None:
        self.health_status = 200
        self.metrics: dict[str, Any] = {
            "rss_bytes": 50_000_000,
            "cpu_seconds": 10.0,
            "uptime_seconds": 100.0,
            "cgroup": {"memory_usage_bytes": 300, "memory_limit_bytes": 1000},
        }
        self.metrics_status = 200

    def health(self, _request: RecordedRequest) -> tuple[int, Any]:
        return self.health_status, {"status": "ok" if self.health_status == 200 else "down"}

    def api_metrics(self, _request: RecordedRequest) -> tuple[int, Any]:
        return self.metrics_status, self.metrics


@pytest.fixture
def dashboard() -> FakeDashboard:
    return FakeDashboard()


@pytest.fixture
def server(dashboard: FakeDashboard) -> Iterator[LocalHttpServer]:
    routes = {"/health": dashboard.health, "/api/metrics": dashboard.api_metrics}
    with local_http_server(routes) as running:
        yield running


def test_healthy_target_reports_memory_and_then_cpu(
    dashboard: FakeDashboard, server: LocalHttpServer
) -> None:
    poller = TargetPoller(server.base_url, timeout_seconds=2)

    first = poller.poll()
    dashboard.metrics.update(cpu_seconds=12.5, uptime_seconds=110.0)
    second = poller.poll()

    assert (first.healthy, first.detail) == (True, "ok")
    assert first.memory_percent == pytest.approx(30.0)
    assert first.cpu_percent is None
    assert second.cpu_percent == pytest.approx(25.0)


def test_flipping_the_target_flips_the_observation(
    dashboard: FakeDashboard, server: LocalHttpServer
) -> None:
    poller = TargetPoller(server.base_url, timeout_seconds=2)

    dashboard.health_status = 503
    down = poller.poll()
    dashboard.health_status = 200
    up = poller.poll()

    assert not down.healthy
    assert down.detail == "HTTP 503 from /health"
    assert (down.cpu_percent, down.memory_percent) == (None, None)
    assert up.healthy


def test_metrics_are_not_fetched_from_an_unhealthy_target(
    dashboard: FakeDashboard, server: LocalHttpServer
) -> None:
    dashboard.health_status = 500

    TargetPoller(server.base_url, timeout_seconds=2).poll()

    assert server.requests_to("/api/metrics") == []


@pytest.mark.parametrize("broken", ["status", "shape"])
def test_broken_metrics_leave_the_target_healthy_with_unknown_numbers(
    dashboard: FakeDashboard, server: LocalHttpServer, broken: str
) -> None:
    if broken == "status":
        dashboard.metrics_status = 500
    else:
        dashboard.metrics = {"unexpected": True}

    observation = TargetPoller(server.base_url, timeout_seconds=2).poll()

    assert observation.healthy
    assert (observation.cpu_percent, observation.memory_percent) == (None, None)


def test_unreachable_target_is_unhealthy() -> None:
    with local_http_server({}) as stopped:
        address = stopped.base_url  # a port that is free again once the server stops

    observation = TargetPoller(address, timeout_seconds=1).poll()

    assert not observation.healthy
    assert "ConnectionError" in observation.detail


def test_a_poller_without_metrics_asks_health_alone(server: LocalHttpServer) -> None:
    observation = TargetPoller(server.base_url, timeout_seconds=2, with_metrics=False).poll()

    assert observation.healthy
    assert (observation.cpu_percent, observation.memory_percent) == (None, None)
    assert server.requests_to("/api/metrics") == []
