"""The monitor notices the dashboard going down and coming back, and logs both."""

from __future__ import annotations

import time

import pytest

from .conftest import health_of, wait_until

pytestmark = pytest.mark.docker


def _logged(monitor, event: str, since: int) -> bool:
    return any(event in line for line in monitor.logs(since=since).decode().splitlines())


def test_monitor_logs_unhealthy_then_recovered(deployed, engine):
    monitor = engine.containers.get(deployed.container("monitor"))
    dashboard = engine.containers.get(deployed.container("dashboard"))
    since = int(time.time())
    dashboard.stop(timeout=10)
    try:
        down = wait_until(lambda: _logged(monitor, "target_unhealthy", since), 60, 1)
        assert down, monitor.logs(since=since).decode()[-2000:]
    finally:
        dashboard.start()
    back = wait_until(lambda: _logged(monitor, "target_recovered", since), 90, 1)
    assert back, monitor.logs(since=since).decode()[-2000:]
    assert wait_until(lambda: health_of(engine, dashboard.name) == "healthy", 60, 1)


def test_the_monitors_heartbeat_reaches_the_dashboards_status(api):
    def heartbeat() -> dict | None:
        found = api("GET", "/api/status").json().get("monitor")
        return found if found and found.get("ts") else None

    # The monitor writes it every interval (5 s on the throwaway stack).
    found = wait_until(heartbeat, timeout=60, interval=1)
    assert found, api("GET", "/api/status").json().get("monitor")
    assert found["age_seconds"] < 60
