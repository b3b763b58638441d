"""Command line of the monitor: ``python -m dashboard.monitor``.

Exit status: 0 after a clean stop (SIGTERM/SIGINT), 2 invalid configuration or usage.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Sequence

from dashboard.envconfig import environment_help
from dashboard.jobkit.shutdown import stop_on_signals
from dashboard.jobkit.startup import EXIT_CONFIGURATION, start_job
from dashboard.monitor.heartbeat import HeartbeatWriter
from dashboard.monitor.loop import MonitorLoop
from dashboard.monitor.settings import MonitorSettings
from dashboard.monitor.state_machine import Thresholds
from dashboard.monitor.targets import replica_names, replica_targets, service_target
from dashboard.monitor.webhook import WebhookNotifier

logger = logging.getLogger("dashboard.monitor")

EXIT_OK = 0


def build_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="python -m dashboard.monitor",
        description=(
            "Poll the service (through the proxy) and each replica: /health, and "
            "/api/metrics for CPU and memory; log a JSON line (and call the webhook) "
            "whenever one of them changes state."
        ),
        epilog=environment_help(MonitorSettings),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def main(argv: Sequence[str] | None = None) -> int:
    build_parser().parse_args(argv)
    settings = start_job(MonitorSettings)
    if settings is None:
        return EXIT_CONFIGURATION
    stop = threading.Event()
    stop_on_signals(stop)
    notifier = _start_notifier(settings)
    logger.info(
        "monitor started",
        extra={
            "target": settings.target_url,
            "replicas": replica_names(settings.replica_urls),
            "interval_seconds": settings.interval_seconds,
            "cpu_threshold_percent": settings.cpu_threshold_percent,
            "memory_threshold_percent": settings.memory_threshold_percent,
            "webhook": notifier is not None,
        },
    )
    try:
        build_loop(settings, notifier, stop).run()
    finally:
        if notifier is not None:
            notifier.close()
    logger.info("monitor stopped")
    return EXIT_OK


def build_loop(
    settings: MonitorSettings, notifier: WebhookNotifier | None, stop: threading.Event
) -> MonitorLoop:
    thresholds = Thresholds(settings.cpu_threshold_percent, settings.memory_threshold_percent)
    # Through the proxy, successive /api/metrics answers come from different replicas, and
    # a CPU delta across two processes means nothing: with replicas, each one is held to
    # the thresholds and the service is asked /health alone.
    return MonitorLoop(
        service=service_target(
            settings.target_url,
            settings.timeout_seconds,
            None if settings.replica_urls else thresholds,
        ),
        replicas=replica_targets(settings.replica_urls, settings.timeout_seconds, thresholds),
        heartbeat=HeartbeatWriter(settings.heartbeat_file),
        notifier=notifier,
        interval_seconds=settings.interval_seconds,
        stop=stop,
    )


def _start_notifier(settings: MonitorSettings) -> WebhookNotifier | None:
    if settings.webhook_url is None:
        return None
    notifier = WebhookNotifier(settings.webhook_url, settings.timeout_seconds)
    notifier.start()
    return notifier
