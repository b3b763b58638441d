"""Prometheus exposition with a registry per app, so several apps can share a process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from dashboard.tickets.model import STATUSES
from dashboard.tickets.store import TicketStore
from dashboard.tickets.work_stats import count_by

# name -> (help text, function returning the current value)
Gauge = tuple[str, Callable[[], float]]


@dataclass(frozen=True)
class PrometheusMetrics:
    registry: CollectorRegistry
    requests: Counter
    status_changes: Counter


def new_prometheus_metrics() -> PrometheusMetrics:
    """A fresh registry with the process collector and the counters the app increments."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    requests = Counter(
        "dashboard_http_requests",
        "HTTP requests by route and status",
        ["method", "route", "status"],
        registry=registry,
    )
    changes = Counter(
        "dashboard_status_changes", "Status change requests accepted", ["to"], registry=registry
    )
    return PrometheusMetrics(registry, requests, changes)


class StoreCollector(Collector):
    """Reads the live services at scrape time instead of mirroring them into gauges."""

    def __init__(self, store: TicketStore, gauges: dict[str, Gauge]) -> None:
        self._store = store
        self._gauges = gauges

    def collect(self) -> Iterator[Metric]:
        by_status = GaugeMetricFamily(
            "dashboard_tickets", "Valid tickets by status", labels=["status"]
        )
        for status, count in count_by(self._store.index.tickets(), "status", STATUSES).items():
            by_status.add_metric([status], count)
        yield by_status
        for name, (documentation, read) in self._gauges.items():
            yield GaugeMetricFamily(name, documentation, value=read())
