"""The monitor's heartbeat: poll, update the state machine, report changes, repeat."""

from __future__ import annotations

import logging
import threading
import time

from dashboard.monitor.heartbeat import HeartbeatWriter
from dashboard.monitor.poller import TargetPoller
from dashboard.monitor.state_machine import MonitorStateMachine, Transition
from dashboard.monitor.webhook import WebhookNotifier

logger = logging.getLogger("dashboard.monitor")


class MonitorLoop:
    def __init__(
        self,
        poller: TargetPoller,
        machine: MonitorStateMachine,
        heartbeat: HeartbeatWriter,
        notifier: WebhookNotifier | None,
        target: str,
        interval_seconds: float,
        stop: threading.Event,
    ) -> None:
        self._poller = poller
        self._machine = machine
        self._heartbeat = heartbeat
        self._notifier = notifier
        self._target = target
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
        observation = self._poller.poll()
        transitions = self._machine.observe(observation)
        for transition in transitions:
            self._report(transition)
        self._heartbeat.write(observation, self._machine.state, self._machine.alerts)
        return transitions

    def _report(self, transition: Transition) -> None:
        payload = {**transition.as_dict(), "target": self._target}
        level = logging.WARNING if transition.is_problem else logging.INFO
        # "message" is the event name so log queries and webhook payloads use one vocabulary;
        # the log line has its own "ts".
        fields = {key: value for key, value in payload.items() if key not in ("event", "ts")}
        logger.log(level, transition.event, extra=fields)
        if self._notifier is not None:
            self._notifier.submit(payload)
