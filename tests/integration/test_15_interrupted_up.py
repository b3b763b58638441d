"""A release whose `pulumi up` is SIGKILLed converges with `make up`, and no request fails.

The kill lands at three points of a release, each found on the engine's event stream:
while a new replica is being created, once a new replica is healthy (its health gate
about to record), and while an old replica is being stopped. What it leaves behind is a
stale lock, pending operations and, for an interrupted create, a container the state does
not know. `make up`'s first step (ops.converge) clears them and the ordinary `up` that
follows ends healthy, with `preview --expect-no-changes` holding, no orphan left, and the
probe at 0 failed requests throughout: the old replicas serve until the new ones are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ticket_dashboard.naming import DASHBOARD, LABEL_ROLE

from .interrupt import EngineTrigger, change_app, container_name, converge, kill_group, start_up
from .interrupt import status as stack_status

pytestmark = pytest.mark.docker

REACH_SECONDS = 240


def _new_replica(event: dict[str, Any], old: set[str]) -> bool:
    attributes = event.get("Actor", {}).get("Attributes", {})
    return attributes.get(LABEL_ROLE) == DASHBOARD and container_name(event) not in old


POINTS: dict[str, Callable[[set[str]], Callable[[dict[str, Any]], bool]]] = {
    "creating": lambda old: lambda e: e.get("Action") == "create" and _new_replica(e, old),
    "gated": lambda old: (
        lambda e: e.get("Action", "").startswith("health_status: healthy") and _new_replica(e, old)
    ),
    "draining": lambda old: lambda e: e.get("Action") == "kill" and container_name(e) in old,
}


@pytest.mark.parametrize("point", list(POINTS))
def test_an_up_killed_mid_release_converges_without_a_failed_request(
    deployed, probe, progress, tmp_path, point
):
    old = set(deployed.replicas)
    change_app(deployed, f"release interrupted while {point} (test_15)")
    trigger = EngineTrigger(deployed.name, POINTS[point](old))
    log = tmp_path / "up.log"
    with probe() as report:
        run = start_up(deployed, log)
        try:
            reached = trigger.fired.wait(timeout=REACH_SECONDS)
            still_running = run.poll() is None
            kill_group(run) if still_running else None
        finally:
            trigger.close()
        assert reached and still_running, f"the up never got to {point!r}:\n{log.read_text()}"
        progress(f"test_15: killed `pulumi up` at {point!r} ({container_name(trigger.event)})")
        converged = converge(deployed)
        assert converged.returncode == 0, converged.stdout + converged.stderr
        progress(f"test_15: converge said:\n{converged.stdout.strip()}")
        deployed.up()
    progress(f"test_15: after the kill at {point!r} the next up converged; probe {report}")
    assert "cleared a stale lock" in converged.stdout
    assert report.failed == 0, report
    assert report.requests > 0
    running = deployed.labelled_objects()["containers"]
    assert sorted(running) == sorted(deployed.containers()), running
    assert not old & set(running)
    assert "ORPH" not in stack_status(deployed).stdout
    deployed.preview(expect_no_changes=True)
