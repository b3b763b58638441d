"""A release over a 10,000-ticket tree: the gate waits for /ready, and no request fails.

A replica is live (/health, Docker's health check) before its first index of a large tree
is done, and the proxy routes to it only once /ready answers 200. The health gate opens on
/ready, so the old replica is deleted only after the new one can take its requests. With
one replica there is no other to fall back on: a gate that opened on liveness alone would
leave the proxy with no server for the rest of the index.

A stack of its own (the session's stack has the small sample tree): one replica, the
sample tree plus 10,000 generated tickets, and cpuLimit 0.15. At the stacks' 0.5 CPU this
host indexes 10,000 tickets within about 2 s of the start, before Docker's first health
check (3 s after it), and at 0.25 only 0.3 s after it: too little time in which a replica
is live and not ready to observe. At 0.15 the replica was live after 4 s and ready after
14 s (measured, 2026-12-02). What the gate
did is read from the engine's own events: when the new replica turned healthy, each exec
of the readiness probe and its exit code, and when the old replica was stopped.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import docker
import pytest

from bench.generate_tickets import generate
from tests.deployment import Deployment, create_throwaway, teardown
from ticket_dashboard.health_gate import READY_PROBE
from ticket_dashboard.naming import stack_naming

from .conftest import json_log
from .load_probe import ConstantRateProbe, ProbeReport

pytestmark = pytest.mark.docker

TICKETS = 10_000
LARGE_TREE_SETTINGS = {
    "replicas": "1",
    "cpuLimit": "0.15",
    "cpuReservation": "0.15",
    # The throwaway default backs the tree up every minute: 40 MB of tickets, for nothing.
    "backupSchedule": "0 3 * * *",
}
READY_PROBE_TEXT = " ".join(READY_PROBE)
PROBE_RATE = 20
"""Requests per second: half are a page of /api/tickets over 10,000 tickets (about 4 ms of
CPU each), which the one old replica must serve alone at 0.15 CPU until the gate opens."""


@dataclass
class Release:
    report: ProbeReport
    old_replica: str
    new_replica: str
    live_at: float | None = None
    """The new replica's `health_status: healthy` event (engine clock, Unix seconds)."""
    probes: list[tuple[float, int]] = field(default_factory=list)
    """The gate's readiness probes in the new replica: (when it ended, exit code)."""
    old_stopped_at: float | None = None
    synced: dict[str, Any] = field(default_factory=dict)
    """The new replica's first `index synced` log record."""
    gate_outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def synced_at(self) -> float:
        return datetime.fromisoformat(self.synced["ts"]).timestamp()

    @property
    def opened_at(self) -> float | None:
        """When the gate's probe first answered 200."""
        return next((at for at, code in self.probes if code == 0), None)


def _large_tree(tickets_dir: Path) -> None:
    """The sample tree plus TICKETS generated ones, writable by uid 1001 as copy_tickets
    leaves the samples."""
    generate(tickets_dir, TICKETS)
    for path in tickets_dir.rglob("*"):
        path.chmod(0o777 if path.is_dir() else 0o666)


class EventRecorder:
    """The stack's container events, streamed live while the block runs.

    Not read back afterwards with ``since``: the engine keeps only its last 256 events,
    and every health check and gate probe on the host is an exec with three of them, so
    on a busy engine the replica's ``health_status`` was gone before the release ended.
    """

    def __init__(self, stack: str) -> None:
        labels = [f"{k}={v}" for k, v in stack_naming(stack).labels().items()]
        self.events: list[dict[str, Any]] = []
        self._client = docker.from_env()
        self._stream = self._client.events(
            filters={"type": "container", "label": labels}, decode=True
        )
        self._thread = threading.Thread(target=self._collect, daemon=True)

    def _collect(self) -> None:
        with contextlib.suppress(Exception):  # the stream ends when it is closed
            self.events.extend(self._stream)

    def __enter__(self) -> EventRecorder:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        time.sleep(1)  # the last events of the release are still on their way
        self._stream.close()
        self._thread.join(timeout=10)
        self._client.close()


def _read_events(events: list[dict[str, Any]], release: Release) -> None:
    """Fill ``release`` from the stack's container events during the release."""
    gate_execs: set[str] = set()
    for event in events:
        at, name = event["timeNano"] / 1e9, event["Actor"]["Attributes"].get("name")
        status, attributes = event.get("status", ""), event["Actor"]["Attributes"]
        if name == release.new_replica and status == "health_status: healthy":
            release.live_at = release.live_at or at
        elif name == release.new_replica and status == f"exec_create: {READY_PROBE_TEXT}":
            gate_execs.add(attributes["execID"])
        elif status == "exec_die" and attributes.get("execID") in gate_execs:
            release.probes.append((at, int(attributes["exitCode"])))
        elif name == release.old_replica and status in ("kill", "stop", "die"):
            release.old_stopped_at = release.old_stopped_at or at


def _gate_outputs(stack: Deployment) -> dict[str, Any]:
    resources = stack.stack.export_stack().deployment["resources"]
    gates = [r for r in resources if r["urn"].endswith("-1-healthy")]
    assert len(gates) == 1, [r["urn"] for r in gates]
    return gates[0].get("outputs", {})


def _release_under_probe(stack: Deployment, engine, vegeta) -> Release:
    old_replica = stack.replicas[0]
    marker = stack.project_dir / "app" / "dashboard" / "__init__.py"
    marker.write_text(marker.read_text() + "\n# released by test_14 over a large tree\n")
    started = time.time()
    url, token = stack.outputs["url"], stack.api_token
    probe = ConstantRateProbe(vegeta, url, token, rate=PROBE_RATE)
    with EventRecorder(stack.name) as recorded, probe as report:
        stack.up()
    release = Release(report, old_replica, stack.replicas[0])
    _read_events(recorded.events, release)
    records = json_log(engine.containers.get(release.new_replica), since=math.floor(started))
    release.synced = next((r for r in records if r.get("message") == "index synced"), {})
    release.gate_outputs = _gate_outputs(stack)
    return release


@pytest.fixture(scope="module")
def release(tmp_path_factory, engine, vegeta, progress) -> Iterator[Release]:
    stack = create_throwaway(tmp_path_factory.mktemp("large"), LARGE_TREE_SETTINGS, prefix="lt")
    _large_tree(stack.tickets_dir)
    try:
        progress(f"test_14: deploying {stack.name} over {TICKETS} tickets ...")
        stack.up()
        progress("test_14: app release (pulumi up) under the probe ...")
        outcome = _release_under_probe(stack, engine, vegeta)
        progress(
            f"test_14: probe {outcome.report}; live {outcome.live_at}, "
            f"index synced {outcome.synced.get('ts')}, gate probes {outcome.probes}, "
            f"old replica stopped {outcome.old_stopped_at}, "
            f"gate { ({k: v for k, v in outcome.gate_outputs.items() if k != '__provider'}) }"
        )
        yield outcome
    finally:
        progress(f"test_14: destroying {stack.name} ...")
        teardown(stack)


def test_a_release_over_a_large_tree_fails_no_request(release):
    assert release.report.failed == 0, release.report
    assert release.report.requests > 0


def test_the_new_replica_indexed_the_whole_tree(release):
    assert release.synced, "the new replica never logged `index synced`"
    assert release.synced["tickets"] >= TICKETS, release.synced


def test_the_new_replica_was_live_before_its_first_index_was_done(release):
    # The premise of the next tests: else a liveness gate would have done as well.
    assert release.live_at is not None, "the new replica never turned healthy"
    assert release.live_at < release.synced_at, (release.live_at, release.synced)


def test_the_gate_asked_ready_until_the_index_was_done(release):
    assert release.opened_at is not None, f"no readiness probe answered 200: {release.probes}"
    waited = [code for at, code in release.probes if at < release.opened_at]
    assert waited and all(code != 0 for code in waited), release.probes
    assert release.live_at <= release.probes[0][0], (release.live_at, release.probes)
    assert release.opened_at >= release.synced_at, (release.opened_at, release.synced)


def test_the_old_replica_was_stopped_only_after_the_new_one_was_ready(release):
    assert release.old_stopped_at is not None, f"{release.old_replica} was never stopped"
    assert release.opened_at is not None
    assert release.old_stopped_at > release.opened_at, (release.old_stopped_at, release.probes)


def test_the_gate_keeps_in_its_state_that_it_waited_for_ready(release):
    outputs = release.gate_outputs
    assert outputs.get("waited_for") == "ready", outputs
    assert outputs["ready_after_seconds"] > outputs["live_after_seconds"], outputs
