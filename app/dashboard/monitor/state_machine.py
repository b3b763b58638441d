"""The monitor's memory of one target: observations in, transitions out. No I/O.

Three independent conditions are tracked: health (from /health), CPU above its
threshold, memory above its threshold. Only changes produce transitions, so a target
that stays healthy (or stays broken) produces no output after the first observation.
The service and a replica differ only in the words for their health (``HealthWords``),
and a target without ``Thresholds`` tracks health alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboard.monitor.observation import Observation

INITIAL_STATE = "initial_state"
TARGET_UNHEALTHY = "target_unhealthy"
TARGET_RECOVERED = "target_recovered"
REPLICA_DOWN = "replica_down"
REPLICA_RECOVERED = "replica_recovered"


@dataclass(frozen=True)
class Thresholds:
    cpu_percent: float
    memory_percent: float


@dataclass(frozen=True)
class HealthWords:
    """How one kind of target names its health: the two states and the two changes."""

    good: str
    bad: str
    went_bad: str
    recovered: str


# The service keeps the words the monitor used before there were replicas: log queries
# and webhook receivers match on them.
SERVICE_HEALTH = HealthWords("healthy", "unhealthy", TARGET_UNHEALTHY, TARGET_RECOVERED)
REPLICA_HEALTH = HealthWords("up", "down", REPLICA_DOWN, REPLICA_RECOVERED)


@dataclass(frozen=True)
class Transition:
    event: str
    ts: datetime
    # Health after the transition, in the target's HealthWords ("healthy", "down", ...).
    state: str
    # True when the change calls for attention (went unhealthy, crossed a threshold).
    is_problem: bool
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"event": self.event, "ts": self.ts.isoformat(), "state": self.state, **self.details}


class MonitorStateMachine:
    def __init__(self, thresholds: Thresholds | None, health: HealthWords = SERVICE_HEALTH) -> None:
        self._thresholds = thresholds
        self._health = health
        self._healthy: bool | None = None
        self._high = {"cpu": False, "memory": False}

    @property
    def state(self) -> str:
        if self._healthy is None:
            return "unknown"
        return self._health.good if self._healthy else self._health.bad

    @property
    def alerts(self) -> list[str]:
        """Thresholds currently exceeded, e.g. ``["cpu"]``."""
        return [resource for resource, high in self._high.items() if high]

    def observe(self, observation: Observation) -> list[Transition]:
        if self._healthy is None:
            return [self._first(observation)]
        transitions = [self._health_change(observation)] + [
            self._threshold_change(resource, observation, value, threshold)
            for resource, (value, threshold) in self._readings(observation).items()
        ]
        return [transition for transition in transitions if transition is not None]

    def _readings(self, observation: Observation) -> dict[str, tuple[float | None, float]]:
        """Per resource: the observed percentage and its threshold; none without thresholds."""
        if self._thresholds is None:
            return {}
        return {
            "cpu": (observation.cpu_percent, self._thresholds.cpu_percent),
            "memory": (observation.memory_percent, self._thresholds.memory_percent),
        }

    def _first(self, observation: Observation) -> Transition:
        self._healthy = observation.healthy
        for resource, (value, threshold) in self._readings(observation).items():
            self._high[resource] = _above(value, threshold)
        return Transition(
            INITIAL_STATE,
            observation.ts,
            self.state,
            is_problem=not observation.healthy or bool(self.alerts),
            details={
                "detail": observation.detail,
                "alerts": self.alerts,
                "cpu_percent": observation.cpu_percent,
                "memory_percent": observation.memory_percent,
            },
        )

    def _health_change(self, observation: Observation) -> Transition | None:
        if observation.healthy == self._healthy:
            return None
        self._healthy = observation.healthy
        event = self._health.recovered if observation.healthy else self._health.went_bad
        return Transition(
            event,
            observation.ts,
            self.state,
            is_problem=not observation.healthy,
            details={"detail": observation.detail},
        )

    def _threshold_change(
        self, resource: str, observation: Observation, value: float | None, threshold: float
    ) -> Transition | None:
        # An unknown value (no metrics this tick) keeps the previous verdict: a target
        # that stops answering has not thereby stopped using memory.
        if value is None or _above(value, threshold) == self._high[resource]:
            return None
        crossed = not self._high[resource]
        self._high[resource] = crossed
        return Transition(
            f"{resource}_threshold_{'crossed' if crossed else 'cleared'}",
            observation.ts,
            self.state,
            is_problem=crossed,
            details={f"{resource}_percent": round(value, 1), "threshold_percent": threshold},
        )


def _above(value: float | None, threshold: float) -> bool:
    return value is not None and value >= threshold
