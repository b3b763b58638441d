"""What the monitor watches: the service through the proxy, and each replica by name.

Every target has a poller and a state machine of its own, so a replica that is down is
reported even while the proxy keeps the service up on the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dashboard.monitor.observation import Observation
from dashboard.monitor.poller import TargetPoller
from dashboard.monitor.settings import host_and_port
from dashboard.monitor.state_machine import (
    REPLICA_HEALTH,
    SERVICE_HEALTH,
    MonitorStateMachine,
    Thresholds,
    Transition,
)

SERVICE_NAME = "service"


@dataclass(frozen=True)
class TargetStatus:
    """Where a target stands after its latest poll (all None but state before the first)."""

    url: str
    state: str
    alerts: list[str]
    ts: datetime | None = None
    detail: str | None = None
    cpu_percent: float | None = None
    memory_percent: float | None = None


class WatchedTarget:
    """One URL the monitor polls. A replica is known by its name; the service by its URL."""

    def __init__(
        self,
        url: str,
        poller: TargetPoller,
        machine: MonitorStateMachine,
        replica_name: str | None = None,
    ) -> None:
        self.url = url
        self.name = replica_name or SERVICE_NAME
        self._is_replica = replica_name is not None
        self._poller = poller
        self._machine = machine
        self._last: Observation | None = None

    @property
    def labels(self) -> dict[str, str]:
        """The fields that say, in a log line or webhook payload, which target changed."""
        if not self._is_replica:
            return {"target": self.url}
        return {"target": self.url, "replica": self.name}

    def poll(self) -> list[Transition]:
        self._last = self._poller.poll()
        return self._machine.observe(self._last)

    def status(self) -> TargetStatus:
        state, alerts = self._machine.state, self._machine.alerts
        seen = self._last
        if seen is None:
            return TargetStatus(self.url, state, alerts)
        return TargetStatus(
            self.url, state, alerts, seen.ts, seen.detail, seen.cpu_percent, seen.memory_percent
        )


def service_target(
    url: str, timeout_seconds: float, thresholds: Thresholds | None
) -> WatchedTarget:
    """The service; without thresholds it is only asked /health, not /api/metrics."""
    poller = TargetPoller(url, timeout_seconds, with_metrics=thresholds is not None)
    return WatchedTarget(url, poller, MonitorStateMachine(thresholds, SERVICE_HEALTH))


def replica_targets(
    urls: Sequence[str], timeout_seconds: float, thresholds: Thresholds
) -> list[WatchedTarget]:
    return [
        WatchedTarget(
            url,
            TargetPoller(url, timeout_seconds),
            MonitorStateMachine(thresholds, REPLICA_HEALTH),
            replica_name=name,
        )
        for url, name in zip(urls, replica_names(urls), strict=True)
    ]


def replica_names(urls: Sequence[str]) -> list[str]:
    """Each replica's name: the host of its URL (the container's name on the stack
    network), or ``host:port`` where replicas share a host, as on a developer's machine.
    Settings refuse a replica listed twice, so the names are distinct."""
    places = [host_and_port(url) for url in urls]
    hosts = [host for host, _port in places]
    return [host if hosts.count(host) == 1 else f"{host}:{port}" for host, port in places]
