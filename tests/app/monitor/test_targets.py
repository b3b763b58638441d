"""Which target a transition is about: replica names and the labels on each event."""

from __future__ import annotations

from dashboard.monitor.state_machine import Thresholds
from dashboard.monitor.targets import replica_names, replica_targets, service_target

THRESHOLDS = Thresholds(80.0, 80.0)


def test_a_replica_is_named_by_its_host() -> None:
    urls = [
        "http://ticket-dashboard-dev-dashboard-3f2a1b4c5d6e-9a1c-1:8000",
        "http://ticket-dashboard-dev-dashboard-3f2a1b4c5d6e-9a1c-2:8000",
    ]

    assert replica_names(urls) == [
        "ticket-dashboard-dev-dashboard-3f2a1b4c5d6e-9a1c-1",
        "ticket-dashboard-dev-dashboard-3f2a1b4c5d6e-9a1c-2",
    ]


def test_replicas_sharing_a_host_are_named_by_host_and_port() -> None:
    urls = ["http://127.0.0.1:8001", "http://127.0.0.1:8002", "http://replica-3"]

    assert replica_names(urls) == ["127.0.0.1:8001", "127.0.0.1:8002", "replica-3"]


def test_replica_events_carry_the_replica_and_service_events_do_not() -> None:
    (replica,) = replica_targets(["http://replica-1:8000"], 1.0, THRESHOLDS)
    service = service_target("http://proxy:8080", 1.0, None)

    assert replica.labels == {"target": "http://replica-1:8000", "replica": "replica-1"}
    assert service.labels == {"target": "http://proxy:8080"}
