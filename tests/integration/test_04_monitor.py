"""The monitor watches each replica by name and the service through the proxy.

One replica stopped: the monitor names it down while the service stays up on the other.
All stopped: the service is down. Started again: both recoveries are logged.
"""

from __future__ import annotations

import time

import pytest

from .conftest import health_of, json_log, wait_until

pytestmark = pytest.mark.docker

# The throwaway stack polls every 5 s; a few rounds, bounded.
NOTICE_SECONDS = 60


def _events(monitor, since: int, event: str, **fields: str) -> list[dict]:
    return [
        record
        for record in json_log(monitor, since)
        if record.get("message") == event and all(record.get(k) == v for k, v in fields.items())
    ]


def _tail(monitor, since: int) -> str:
    return monitor.logs(since=since).decode(errors="replace")[-2000:]


def test_one_replica_down_is_named_while_the_service_stays_up(deployed, engine, probe, progress):
    monitor = engine.containers.get(deployed.container("monitor"))
    first, *others = (engine.containers.get(name) for name in deployed.replicas)
    assert others, "needs two replicas: the service must stay up on the other"
    since = int(time.time())
    progress(f"stopping replica {first.name} ...")
    try:
        with probe() as report:
            first.stop(timeout=15)
            down = wait_until(
                lambda: _events(monitor, since, "replica_down", replica=first.name),
                NOTICE_SECONDS,
                1,
            )
        assert down, _tail(monitor, since)
        progress(f"test_04: {first.name} stopped; probe through the proxy {report}")
        assert report.failed == 0, report
        assert not _events(monitor, since, "target_unhealthy"), _tail(monitor, since)
    finally:
        first.start()
    back = wait_until(
        lambda: _events(monitor, since, "replica_recovered", replica=first.name),
        NOTICE_SECONDS,
        1,
    )
    assert back, _tail(monitor, since)
    assert wait_until(lambda: health_of(engine, first.name) == "healthy", 60, 1)


def test_every_replica_down_makes_the_service_unhealthy_then_recovered(deployed, engine, progress):
    monitor = engine.containers.get(deployed.container("monitor"))
    replicas = [engine.containers.get(name) for name in deployed.replicas]
    since = int(time.time())
    progress(f"stopping all {len(replicas)} replicas ...")
    try:
        for replica in replicas:
            replica.stop(timeout=15)
        down = wait_until(lambda: _events(monitor, since, "target_unhealthy"), NOTICE_SECONDS, 1)
        assert down, _tail(monitor, since)
    finally:
        for replica in replicas:
            replica.start()
    back = wait_until(lambda: _events(monitor, since, "target_recovered"), NOTICE_SECONDS, 1)
    assert back, _tail(monitor, since)
    for replica in replicas:
        assert wait_until(lambda r=replica: health_of(engine, r.name) == "healthy", 60, 1)
    deployed.wait_ready()


def test_the_monitors_heartbeat_reaches_the_dashboards_status(api):
    def heartbeat() -> dict | None:
        found = api("GET", "/api/status").json().get("monitor")
        return found if found and found.get("ts") else None

    # The monitor writes it every interval (5 s on the throwaway stack).
    found = wait_until(heartbeat, timeout=60, interval=1)
    assert found, api("GET", "/api/status").json().get("monitor")
    assert found["age_seconds"] < 60
