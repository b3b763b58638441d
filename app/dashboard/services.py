"""The long-lived objects one app needs, built from settings and started explicitly."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask, current_app

from dashboard.changefeed import ChangeFeed
from dashboard.prometheus_registry import (
    Gauge,
    PrometheusMetrics,
    StoreCollector,
    new_prometheus_metrics,
)
from dashboard.resource_usage import ProcessMetrics
from dashboard.runtime.draining import DrainFlag
from dashboard.settings import Settings
from dashboard.tickets.audit import AuditLog
from dashboard.tickets.listing import TicketListing
from dashboard.tickets.status_change import StatusChanger
from dashboard.tickets.store import TicketStore
from dashboard.watcher import TicketWatcher

EXTENSION_KEY = "dashboard"
log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    feed: ChangeFeed
    store: TicketStore
    status_changer: StatusChanger
    watcher: TicketWatcher | None
    process: ProcessMetrics
    prometheus: PrometheusMetrics
    listing: TicketListing
    draining: DrainFlag = field(default_factory=DrainFlag)  # set by the server on SIGTERM
    index_error: str | None = field(default=None, init=False)

    def start(self) -> None:
        """Watch first, then scan: a change made during the scan is still picked up.

        The first scan runs in its own thread, so that the server answers /health while it
        runs (seconds at 10,000 tickets under a CPU limit); /ready waits for it. It is a
        daemon thread and is not joined on stop: a scan has no side effect worth waiting for.
        """
        if self.watcher is not None:
            self.watcher.start()
        threading.Thread(target=self._first_index, name="first-index", daemon=True).start()

    def _first_index(self) -> None:
        try:
            self.store.sync()
        except Exception as error:  # the thread would die silently; /ready must say why
            self.index_error = f"the first scan failed: {error}; see the server log"
            log.exception("first scan failed")

    def stop(self) -> None:
        """End live-update streams and the watcher; safe to call twice."""
        self.feed.close()
        if self.watcher is not None:
            self.watcher.stop()

    def watcher_alive(self) -> bool:
        return self.watcher is not None and self.watcher.is_alive()

    def watcher_state(self) -> dict[str, object]:
        if self.watcher is None:
            return {"enabled": False, "mode": None, "alive": False, "error": None}
        return {"enabled": True, **self.watcher.state()}


def build_services(settings: Settings, draining: DrainFlag | None = None) -> Services:
    feed = ChangeFeed()
    store = TicketStore(settings.tickets_dir, feed)
    status_changer = StatusChanger(
        store,
        AuditLog(settings.data_dir / "audit.log"),
        organize_completed=settings.organize_completed,
        read_only=settings.tickets_read_only,
    )
    watcher = None
    if settings.watch:
        watcher = TicketWatcher(
            settings.tickets_dir,
            store.refresh,
            polling=settings.watch_polling,
            poll_interval=settings.watch_poll_interval,
        )
    services = Services(
        settings,
        feed,
        store,
        status_changer,
        watcher,
        ProcessMetrics(),
        new_prometheus_metrics(),
        TicketListing(store.index),
        draining or DrainFlag(),
    )
    services.prometheus.registry.register(StoreCollector(store, _gauges(services)))
    return services


def _gauges(services: Services) -> dict[str, Gauge]:
    store = services.store

    def last_sync_seconds() -> float:
        return store.last_sync.duration_seconds if store.last_sync else 0.0

    return {
        "dashboard_invalid_tickets": ("Invalid ticket files", lambda: len(store.index.invalid())),
        "dashboard_last_sync_duration_seconds": (
            "Duration of the last full scan",
            last_sync_seconds,
        ),
        "dashboard_watcher_alive": (
            "1 while the watcher runs",
            lambda: int(services.watcher_alive()),
        ),
        "dashboard_sse_subscribers": (
            "Open live-update streams",
            lambda: services.feed.subscriber_count,
        ),
        "dashboard_uptime_seconds": ("Seconds since start", services.process.uptime_seconds),
    }


def services_of(app: Flask | None = None) -> Services:
    """The Services of `app` (default: the app handling the current request)."""
    found = (app or current_app).extensions[EXTENSION_KEY]
    assert isinstance(found, Services)
    return found
