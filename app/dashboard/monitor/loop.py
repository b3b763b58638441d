"""The monitor's heartbeat: poll every target, update their state, report changes, repeat."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from dashboard.monitor.heartbeat import HeartbeatWriter
from dashboard.monitor.state_machine import Transition
from dashboard.monitor.targets import WatchedTarget
from dashboard.monitor.webhook import WebhookNotifier

logger = logging.getLogger("dashboard.monitor")


class MonitorLoop:
    def __init__(
        self,
        service: WatchedTarget,
        replicas: Sequence[WatchedTarget],
        heartbeat: HeartbeatWriter,
        notifier: WebhookNotifier | None,
        interval_seconds: float,
        stop: threading.Event,
    ) -> None:
        self._service = service
        self._replicas = list(replicas)
        self._heartbeat = heartbeat
        self._notifier = notifier
        self._interval_seconds = interval_seconds
        self._stop = stop

    def run(self) -> None:
        """Tick every ``interval_seconds`` until ``stop`` is set.

        Ticks keep a fixed cadence on the monotonic clock; if one runs late (a slow
        target), the missed ticks are skipped rather than fired back to back.
        """
        next_tick = time.monotonic()
        while not self._stop.is_set():
            self.tick()
            next_tick = max(next_tick + self._interval_seconds, time.monotonic())
            self._stop.wait(next_tick - time.monotonic())

    def tick(self) -> list[Transition]:
        """Poll all targets, then report their changes: the service's first, then each
        replica's in the order they were listed."""
        targets = [self._service, *self._replicas]
        changes = self._poll_all(targets)
        for target, transitions in zip(targets, changes, strict=True):
            for transition in transitions:
                self._report(target, transition)
        self._heartbeat.write(
            self._service.status(),
            {replica.name: replica.status() for replica in self._replicas},
        )
        return [transition for transitions in changes for transition in transitions]

    def _poll_all(self, targets: list[WatchedTarget]) -> list[list[Transition]]:
        # Side by side, so a tick lasts as long as the slowest target rather than the sum
        # of their timeouts. Each target is polled by one thread at a time.
        if len(targets) == 1:
            return [targets[0].poll()]
        with ThreadPoolExecutor(max_workers=len(targets), thread_name_prefix="poll") as pool:
            return list(pool.map(WatchedTarget.poll, targets))

    def _report(self, target: WatchedTarget, transition: Transition) -> None:
        payload = {**transition.as_dict(), **target.labels}
        level = logging.WARNING if transition.is_problem else logging.INFO
        # "message" is the event name so log queries and webhook payloads use one vocabulary;
        # the log line has its own "ts".
        fields = {key: value for key, value in payload.items() if key not in ("event", "ts")}
        logger.log(level, transition.event, extra=fields)
        if self._notifier is not None:
            self._notifier.submit(payload)
