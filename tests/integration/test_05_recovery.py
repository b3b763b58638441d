"""A crash of one replica's main process: the other serves meanwhile, and the restart
policy brings the crashed one back, data intact.

`docker kill` would count as a manual stop, which `unless-stopped` does not restart, so
the process is killed from the host by its PID, as the kernel's OOM killer or a crash would.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from .conftest import health_of, wait_until

pytestmark = pytest.mark.docker


def test_sigkill_of_a_replica_is_survived_and_it_recovers_healthy_within_30s(
    deployed, engine, api, probe, progress
):
    name = deployed.replicas[0]
    tickets_before = api("GET", "/api/tickets?limit=200").json()
    files_before = {p: p.read_bytes() for p in deployed.tickets_dir.rglob("*.md")}
    state = engine.api.inspect_container(name)["State"]
    with probe() as report:
        killed = time.monotonic()
        os.kill(state["Pid"], signal.SIGKILL)
        restarted = wait_until(
            lambda: engine.api.inspect_container(name)["State"]["StartedAt"] != state["StartedAt"],
            timeout=30,
            interval=0.2,
        )
        assert restarted, "the restart policy did not restart the container"
        restarted_after = time.monotonic() - killed
        assert wait_until(lambda: health_of(engine, name) == "healthy", timeout=30, interval=0.2)
        healthy_after = time.monotonic() - killed
    # Printed for the README (figures are measured, never asserted).
    progress(
        f"test_05: SIGKILL of {name}: restarted after {restarted_after:.1f}s, healthy "
        f"{healthy_after:.1f}s; probe {report}"
    )
    # The proxy retried whatever the killed replica dropped on the other one.
    assert report.failed == 0, report
    # Healthy means alive; the index is complete once /ready says so.
    assert wait_until(lambda: api("GET", "/ready").status_code == 200, timeout=30, interval=0.2)
    assert {p: p.read_bytes() for p in deployed.tickets_dir.rglob("*.md")} == files_before
    assert api("GET", "/api/tickets?limit=200").json()["items"] == tickets_before["items"]
