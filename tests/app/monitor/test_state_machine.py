"""The monitor's state machine, table-driven: observations in, transition events out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.monitor.observation import Observation
from dashboard.monitor.state_machine import REPLICA_HEALTH, MonitorStateMachine, Thresholds

THRESHOLDS = Thresholds(cpu_percent=80.0, memory_percent=90.0)
START = datetime(2025, 1, 1, tzinfo=UTC)


def ok(cpu: float | None = 10.0, memory: float | None = 50.0) -> Observation:
    return Observation(START, healthy=True, detail="ok", cpu_percent=cpu, memory_percent=memory)


def down(detail: str = "HTTP 503 from /health") -> Observation:
    return Observation(START, healthy=False, detail=detail)


def _events(observations: list[Observation]) -> list[list[str]]:
    machine = MonitorStateMachine(THRESHOLDS)
    return [[change.event for change in machine.observe(seen)] for seen in observations]


# Each row: the observations fed in order, and the events each one must produce.
SCENARIOS = {
    "first observation logs the initial state once": (
        [ok(), ok(), ok()],
        [["initial_state"], [], []],
    ),
    "healthy -> unhealthy -> recovered": (
        [ok(), down(), down(), ok(), ok()],
        [["initial_state"], ["target_unhealthy"], [], ["target_recovered"], []],
    ),
    "starting unhealthy, then recovering": (
        [down(), down(), ok()],
        [["initial_state"], [], ["target_recovered"]],
    ),
    "cpu crosses and clears its threshold": (
        [ok(cpu=10), ok(cpu=85), ok(cpu=95), ok(cpu=79.9), ok(cpu=50)],
        [["initial_state"], ["cpu_threshold_crossed"], [], ["cpu_threshold_cleared"], []],
    ),
    "threshold value itself counts as crossed": (
        [ok(cpu=10), ok(cpu=80.0)],
        [["initial_state"], ["cpu_threshold_crossed"]],
    ),
    "memory crosses and clears its threshold": (
        [ok(memory=10), ok(memory=91), ok(memory=99), ok(memory=20)],
        [["initial_state"], ["memory_threshold_crossed"], [], ["memory_threshold_cleared"]],
    ),
    "unknown values keep the previous verdict": (
        [ok(cpu=90), ok(cpu=None, memory=None), down(), ok(cpu=95)],
        [["initial_state"], [], ["target_unhealthy"], ["target_recovered"]],
    ),
    "cpu unknown at first, then high": (
        [ok(cpu=None), ok(cpu=85)],
        [["initial_state"], ["cpu_threshold_crossed"]],
    ),
    "simultaneous changes are reported together": (
        [ok(cpu=10, memory=10), ok(cpu=99, memory=99), ok(cpu=1, memory=1)],
        [
            ["initial_state"],
            ["cpu_threshold_crossed", "memory_threshold_crossed"],
            ["cpu_threshold_cleared", "memory_threshold_cleared"],
        ],
    ),
}


@pytest.mark.parametrize(
    ("observations", "expected"), SCENARIOS.values(), ids=list(SCENARIOS.keys())
)
def test_transitions(observations: list[Observation], expected: list[list[str]]) -> None:
    assert _events(observations) == expected


def test_state_and_alerts_follow_the_observations() -> None:
    machine = MonitorStateMachine(THRESHOLDS)
    assert machine.state == "unknown"

    machine.observe(ok(cpu=85, memory=95))
    assert (machine.state, machine.alerts) == ("healthy", ["cpu", "memory"])

    machine.observe(down())
    assert (machine.state, machine.alerts) == ("unhealthy", ["cpu", "memory"])

    machine.observe(ok(cpu=5, memory=5))
    assert (machine.state, machine.alerts) == ("healthy", [])


def test_initial_state_reports_alerts_and_counts_as_a_problem_when_high() -> None:
    (initial,) = MonitorStateMachine(THRESHOLDS).observe(ok(cpu=85))

    assert initial.is_problem
    assert initial.details["alerts"] == ["cpu"]
    assert initial.state == "healthy"


def test_transition_payload_carries_the_reason_and_the_numbers() -> None:
    machine = MonitorStateMachine(THRESHOLDS)
    machine.observe(ok())
    later = START + timedelta(minutes=1)

    (unhealthy,) = machine.observe(
        Observation(later, healthy=False, detail="ConnectionError: refused")
    )
    (recovered,) = machine.observe(Observation(later, healthy=True, detail="ok"))
    (crossed,) = machine.observe(Observation(later, True, "ok", cpu_percent=88.26))

    assert unhealthy.as_dict() == {
        "event": "target_unhealthy",
        "ts": later.isoformat(),
        "state": "unhealthy",
        "detail": "ConnectionError: refused",
    }
    assert unhealthy.is_problem
    assert not recovered.is_problem
    assert crossed.as_dict()["cpu_percent"] == 88.3
    assert crossed.as_dict()["threshold_percent"] == 80.0


def test_a_replica_goes_down_and_recovers_in_its_own_words() -> None:
    machine = MonitorStateMachine(THRESHOLDS, REPLICA_HEALTH)

    (initial,) = machine.observe(ok())
    (went_down,) = machine.observe(down("ConnectionError: refused"))
    assert machine.state == "down"
    (recovered,) = machine.observe(ok())

    assert (initial.event, initial.state) == ("initial_state", "up")
    assert went_down.as_dict() == {
        "event": "replica_down",
        "ts": START.isoformat(),
        "state": "down",
        "detail": "ConnectionError: refused",
    }
    assert went_down.is_problem
    assert (recovered.event, recovered.state, recovered.is_problem) == (
        "replica_recovered",
        "up",
        False,
    )


def test_without_thresholds_only_health_is_tracked() -> None:
    machine = MonitorStateMachine(None)

    events = [
        change.event
        for seen in (ok(), ok(cpu=99, memory=99), down())
        for change in machine.observe(seen)
    ]

    assert events == ["initial_state", "target_unhealthy"]
    assert machine.alerts == []
