"""A crash of the dashboard's main process: the restart policy brings it back, data intact.

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


def test_sigkill_of_the_main_process_recovers_healthy_within_30s(deployed, engine, api):
    name = deployed.container("dashboard")
    tickets_before = api("GET", "/api/tickets?limit=200").json()
    files_before = {p: p.read_bytes() for p in deployed.tickets_dir.rglob("*.md")}
    state = engine.api.inspect_container(name)["State"]
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
    # Printed for the README (figures are measured, never asserted).
    print(f"restarted after {restarted_after:.1f}s, healthy {time.monotonic() - killed:.1f}s")
    # Healthy means alive; the index is complete once /ready says so.
    assert wait_until(lambda: api("GET", "/ready").status_code == 200, timeout=30, interval=0.2)
    assert {p: p.read_bytes() for p in deployed.tickets_dir.rglob("*.md")} == files_before
    assert api("GET", "/api/tickets?limit=200").json()["items"] == tickets_before["items"]
