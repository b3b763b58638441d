"""The poll loop end to end in-process: logs, webhook, heartbeat, cadence and stop."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboard.monitor.heartbeat import HeartbeatWriter
from dashboard.monitor.loop import MonitorLoop
from dashboard.monitor.observation import Observation
from dashboard.monitor.poller import TargetPoller
from dashboard.monitor.state_machine import MonitorStateMachine, Thresholds
from dashboard.monitor.webhook import WebhookNotifier
from tests.app.job_helpers import LocalHttpServer, RecordedRequest, local_http_server
from tests.app.ticket_helpers import wait_until


class Switch:
    """What the fake dashboard's /health answers; the hook's behaviour."""

    def __init__(self) -> None:
        self.health_status = 200
        self.hook_status = 204
        self.hook_delay = 0.0


@pytest.fixture
def switch() -> Switch:
    return Switch()


@pytest.fixture
def server(switch: Switch) -> Iterator[LocalHttpServer]:
    def health(_request: RecordedRequest) -> tuple[int, Any]:
        return switch.health_status, {}

    def metrics(_request: RecordedRequest) -> tuple[int, Any]:
        return 200, {"cpu_seconds": 1.0, "uptime_seconds": 2.0, "rss_bytes": 3, "cgroup": {}}

    def hook(_request: RecordedRequest) -> tuple[int, Any]:
        time.sleep(switch.hook_delay)
        return switch.hook_status, {}

    with local_http_server({"/health": health, "/api/metrics": metrics, "/hook": hook}) as running:
        yield running


@pytest.fixture
def heartbeat_file(tmp_path: Path) -> Path:
    return tmp_path / "heartbeat.json"


def _loop(
    server: LocalHttpServer,
    heartbeat_file: Path,
    notifier: WebhookNotifier | None = None,
    interval: float = 60.0,
    stop: threading.Event | None = None,
) -> MonitorLoop:
    return MonitorLoop(
        poller=TargetPoller(server.base_url, timeout_seconds=2),
        machine=MonitorStateMachine(Thresholds(80.0, 80.0)),
        heartbeat=HeartbeatWriter(heartbeat_file, server.base_url),
        notifier=notifier,
        target=server.base_url,
        interval_seconds=interval,
        stop=stop or threading.Event(),
    )


def test_every_tick_writes_the_heartbeat(
    server: LocalHttpServer, switch: Switch, heartbeat_file: Path
) -> None:
    loop = _loop(server, heartbeat_file)

    loop.tick()
    first = json.loads(heartbeat_file.read_text())
    switch.health_status = 503
    loop.tick()
    second = json.loads(heartbeat_file.read_text())

    assert first["state"] == "healthy"
    assert first["target"] == server.base_url
    assert second["state"] == "unhealthy"
    assert second["ts"] >= first["ts"]
    assert sorted(path.name for path in heartbeat_file.parent.iterdir()) == ["heartbeat.json"]


def test_a_failing_heartbeat_is_logged_once_until_it_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "not-yet"
    writer = HeartbeatWriter(folder / "heartbeat.json", "http://target")
    observation = Observation(datetime.now(UTC), healthy=True, detail="ok")
    caplog.set_level(logging.INFO, logger="dashboard.monitor")

    for _ in range(3):
        writer.write(observation, "healthy", [])
    folder.mkdir()
    writer.write(observation, "healthy", [])

    assert [record.getMessage() for record in caplog.records] == [
        "cannot write heartbeat file",
        "heartbeat file writable again",
    ]
    assert json.loads((folder / "heartbeat.json").read_text())["target"] == "http://target"


def test_only_state_changes_are_logged(
    server: LocalHttpServer,
    switch: Switch,
    heartbeat_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = _loop(server, heartbeat_file)
    caplog.set_level(logging.INFO, logger="dashboard.monitor")

    for status in (200, 200, 503, 503, 503, 200, 200):
        switch.health_status = status
        loop.tick()

    logged = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert logged == [
        ("INFO", "initial_state"),
        ("WARNING", "target_unhealthy"),
        ("INFO", "target_recovered"),
    ]


def test_transitions_reach_the_webhook(
    server: LocalHttpServer, switch: Switch, heartbeat_file: Path
) -> None:
    notifier = WebhookNotifier(f"{server.base_url}/hook", timeout_seconds=2)
    notifier.start()
    loop = _loop(server, heartbeat_file, notifier)
    try:
        for status in (200, 503, 503, 200):
            switch.health_status = status
            loop.tick()
        wait_until(lambda: len(server.requests_to("/hook")) >= 3, timeout=5)
    finally:
        notifier.close()

    payloads = [json.loads(request.body) for request in server.requests_to("/hook")]
    assert [payload["event"] for payload in payloads] == [
        "initial_state",
        "target_unhealthy",
        "target_recovered",
    ]
    assert all(payload["target"] == server.base_url for payload in payloads)


def test_a_failing_slow_webhook_does_not_delay_ticks(
    server: LocalHttpServer, switch: Switch, heartbeat_file: Path
) -> None:
    switch.hook_status, switch.hook_delay = 500, 0.5
    notifier = WebhookNotifier(f"{server.base_url}/hook", timeout_seconds=2)
    notifier.start()
    loop = _loop(server, heartbeat_file, notifier)
    try:
        durations = []
        for status in (200, 503, 200, 503):
            switch.health_status = status
            started = time.monotonic()
            loop.tick()
            durations.append(time.monotonic() - started)
    finally:
        notifier.close(timeout_seconds=2)

    assert max(durations) < 0.3, durations


def test_run_keeps_its_cadence_and_stops_when_asked(
    server: LocalHttpServer, heartbeat_file: Path
) -> None:
    stop = threading.Event()
    loop = _loop(server, heartbeat_file, interval=0.1, stop=stop)
    thread = threading.Thread(target=loop.run)

    thread.start()
    time.sleep(0.55)
    stop.set()
    stopped_at = time.monotonic()
    thread.join(2)

    assert not thread.is_alive()
    assert time.monotonic() - stopped_at < 0.5
    assert 4 <= len(server.requests_to("/health")) <= 7
