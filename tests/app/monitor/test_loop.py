"""The poll loop end to end in-process: logs, webhook, heartbeat, cadence and stop.

The service and each replica are real HTTP servers on 127.0.0.1 whose answers a test
flips; the loop is wired by the CLI's own ``build_loop`` from ``MonitorSettings``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboard.monitor.cli import build_loop
from dashboard.monitor.heartbeat import HeartbeatWriter
from dashboard.monitor.loop import MonitorLoop
from dashboard.monitor.settings import MonitorSettings
from dashboard.monitor.targets import TargetStatus
from dashboard.monitor.webhook import WebhookNotifier
from tests.app.job_helpers import LocalHttpServer, RecordedRequest, local_http_server
from tests.app.ticket_helpers import wait_until


class Switch:
    """What a fake dashboard (or the proxy) answers; the hook's behaviour."""

    def __init__(self) -> None:
        self.health_status = 200
        self.health_delay = 0.0
        self.memory_usage_bytes = 300
        self.hook_status = 204
        self.hook_delay = 0.0

    def routes(self) -> dict[str, Any]:
        def health(_request: RecordedRequest) -> tuple[int, Any]:
            time.sleep(self.health_delay)
            return self.health_status, {}

        def metrics(_request: RecordedRequest) -> tuple[int, Any]:
            cgroup = {"memory_usage_bytes": self.memory_usage_bytes, "memory_limit_bytes": 1000}
            return 200, {"cpu_seconds": 1.0, "uptime_seconds": 2.0, "cgroup": cgroup}

        def hook(_request: RecordedRequest) -> tuple[int, Any]:
            time.sleep(self.hook_delay)
            return self.hook_status, {}

        return {"/health": health, "/api/metrics": metrics, "/hook": hook}


class Replica:
    def __init__(self, server: LocalHttpServer, switch: Switch) -> None:
        self.server = server
        self.switch = switch
        # Both replicas listen on 127.0.0.1, so the monitor names them host:port.
        self.name = server.base_url.removeprefix("http://")


@pytest.fixture
def switch() -> Switch:
    return Switch()


@pytest.fixture
def server(switch: Switch) -> Iterator[LocalHttpServer]:
    """The service, as the proxy serves it."""
    with local_http_server(switch.routes()) as running:
        yield running


@pytest.fixture
def replicas() -> Iterator[list[Replica]]:
    with ExitStack() as stack:
        found = []
        for _ in range(2):
            switch = Switch()
            found.append(Replica(stack.enter_context(local_http_server(switch.routes())), switch))
        yield found


@pytest.fixture
def heartbeat_file(tmp_path: Path) -> Path:
    return tmp_path / "heartbeat.json"


def _loop(
    server: LocalHttpServer,
    heartbeat_file: Path,
    notifier: WebhookNotifier | None = None,
    interval: float = 60.0,
    stop: threading.Event | None = None,
    replicas: list[Replica] | tuple[()] = (),
    timeout: float = 2.0,
) -> MonitorLoop:
    settings = MonitorSettings(
        target_url=server.base_url,
        replica_urls=tuple(replica.server.base_url for replica in replicas),
        heartbeat_file=heartbeat_file,
        interval_seconds=interval,
        timeout_seconds=timeout,
        memory_threshold_percent=90.0,
    )
    return build_loop(settings, notifier, stop or threading.Event())


def _heartbeat(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _logged(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str | None]]:
    """(level, event, replica) of each monitor log line; replica None for the service."""
    return [
        (record.levelname, record.getMessage(), getattr(record, "replica", None))
        for record in caplog.records
    ]


def test_every_tick_writes_the_heartbeat(
    clean_env: None, server: LocalHttpServer, switch: Switch, heartbeat_file: Path
) -> None:
    loop = _loop(server, heartbeat_file)

    loop.tick()
    first = _heartbeat(heartbeat_file)
    switch.health_status = 503
    loop.tick()
    second = _heartbeat(heartbeat_file)

    assert first["state"] == "healthy"
    assert first["target"] == server.base_url
    assert first["memory_percent"] == pytest.approx(30.0)
    assert first["replicas"] == {}
    assert second["state"] == "unhealthy"
    assert second["ts"] >= first["ts"]
    assert sorted(path.name for path in heartbeat_file.parent.iterdir()) == ["heartbeat.json"]


def test_a_failing_heartbeat_is_logged_once_until_it_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "not-yet"
    writer = HeartbeatWriter(folder / "heartbeat.json")
    status = TargetStatus("http://target", "healthy", [], datetime.now(UTC), "ok")
    caplog.set_level(logging.INFO, logger="dashboard.monitor")

    for _ in range(3):
        writer.write(status, {})
    folder.mkdir()
    writer.write(status, {})

    assert [record.getMessage() for record in caplog.records] == [
        "cannot write heartbeat file",
        "heartbeat file writable again",
    ]
    assert _heartbeat(folder / "heartbeat.json")["target"] == "http://target"


def test_only_state_changes_are_logged(
    clean_env: None,
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

    assert _logged(caplog) == [
        ("INFO", "initial_state", None),
        ("WARNING", "target_unhealthy", None),
        ("INFO", "target_recovered", None),
    ]


def test_transitions_reach_the_webhook(
    clean_env: None, server: LocalHttpServer, switch: Switch, heartbeat_file: Path
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
    assert not any("replica" in payload for payload in payloads)


def test_a_replica_down_while_the_service_is_up_is_reported(
    clean_env: None,
    server: LocalHttpServer,
    replicas: list[Replica],
    heartbeat_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = _loop(server, heartbeat_file, replicas=replicas)
    healthy, broken = replicas
    caplog.set_level(logging.INFO, logger="dashboard.monitor")

    loop.tick()
    broken.switch.health_status = 503
    loop.tick()
    loop.tick()

    assert _logged(caplog) == [
        ("INFO", "initial_state", None),
        ("INFO", "initial_state", healthy.name),
        ("INFO", "initial_state", broken.name),
        ("WARNING", "replica_down", broken.name),
    ]
    down = vars(caplog.records[-1])
    assert {key: down[key] for key in ("target", "state", "detail")} == {
        "target": broken.server.base_url,
        "state": "down",
        "detail": "HTTP 503 from /health",
    }
    heartbeat = _heartbeat(heartbeat_file)
    assert heartbeat["state"] == "healthy"
    assert {name: entry["state"] for name, entry in heartbeat["replicas"].items()} == {
        healthy.name: "up",
        broken.name: "down",
    }


def test_a_replica_that_comes_back_is_reported_recovered(
    clean_env: None,
    server: LocalHttpServer,
    replicas: list[Replica],
    heartbeat_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = _loop(server, heartbeat_file, replicas=replicas)
    flapping = replicas[1]
    caplog.set_level(logging.INFO, logger="dashboard.monitor")

    for status in (200, 503, 200, 200):
        flapping.switch.health_status = status
        loop.tick()

    assert _logged(caplog)[3:] == [
        ("WARNING", "replica_down", flapping.name),
        ("INFO", "replica_recovered", flapping.name),
    ]
    assert _heartbeat(heartbeat_file)["replicas"][flapping.name]["state"] == "up"


def test_replica_transitions_reach_the_webhook_naming_the_replica(
    clean_env: None,
    server: LocalHttpServer,
    replicas: list[Replica],
    heartbeat_file: Path,
) -> None:
    notifier = WebhookNotifier(f"{server.base_url}/hook", timeout_seconds=2)
    notifier.start()
    loop = _loop(server, heartbeat_file, notifier, replicas=replicas)
    broken = replicas[0]
    try:
        loop.tick()
        broken.switch.health_status = 503
        loop.tick()
        wait_until(lambda: len(server.requests_to("/hook")) >= 4, timeout=5)
    finally:
        notifier.close()

    last = json.loads(server.requests_to("/hook")[-1].body)
    assert {key: last[key] for key in ("event", "state", "replica", "target", "detail")} == {
        "event": "replica_down",
        "state": "down",
        "replica": broken.name,
        "target": broken.server.base_url,
        "detail": "HTTP 503 from /health",
    }


def test_the_heartbeat_shows_every_replica(
    clean_env: None, server: LocalHttpServer, replicas: list[Replica], heartbeat_file: Path
) -> None:
    loop = _loop(server, heartbeat_file, replicas=replicas)
    up, down = replicas
    down.switch.health_status = 500

    loop.tick()

    heartbeat = _heartbeat(heartbeat_file)
    assert {key: heartbeat[key] for key in ("state", "target", "alerts")} == {
        "state": "healthy",
        "target": server.base_url,
        "alerts": [],
    }
    assert heartbeat["replicas"] == {
        up.name: {
            "url": up.server.base_url,
            "state": "up",
            "detail": "ok",
            "alerts": [],
            "cpu_percent": None,  # needs a second sample
            "memory_percent": pytest.approx(30.0),
        },
        down.name: {
            "url": down.server.base_url,
            "state": "down",
            "detail": "HTTP 500 from /health",
            "alerts": [],
            "cpu_percent": None,
            "memory_percent": None,
        },
    }


def test_with_replicas_thresholds_apply_to_each_replica_not_the_service(
    clean_env: None,
    server: LocalHttpServer,
    replicas: list[Replica],
    heartbeat_file: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = _loop(server, heartbeat_file, replicas=replicas)
    busy = replicas[1]
    caplog.set_level(logging.INFO, logger="dashboard.monitor")

    loop.tick()
    busy.switch.memory_usage_bytes = 950
    loop.tick()

    assert _logged(caplog)[3:] == [("WARNING", "memory_threshold_crossed", busy.name)]
    assert _heartbeat(heartbeat_file)["replicas"][busy.name]["alerts"] == ["memory"]
    # Through the proxy, metrics would come from whichever replica answered.
    assert server.requests_to("/api/metrics") == []
    assert all(replica.server.requests_to("/api/metrics") for replica in replicas)


def test_targets_are_polled_side_by_side(
    clean_env: None,
    server: LocalHttpServer,
    switch: Switch,
    replicas: list[Replica],
    heartbeat_file: Path,
) -> None:
    loop = _loop(server, heartbeat_file, replicas=replicas)
    for slow in (switch, *(replica.switch for replica in replicas)):
        slow.health_delay = 0.4

    started = time.monotonic()
    loop.tick()
    elapsed = time.monotonic() - started

    assert elapsed < 1.0, elapsed  # one after the other would take 1.2 s or more


def test_a_hung_replica_costs_one_timeout_and_counts_as_down(
    clean_env: None, server: LocalHttpServer, replicas: list[Replica], heartbeat_file: Path
) -> None:
    loop = _loop(server, heartbeat_file, replicas=replicas, timeout=0.3)
    hung = replicas[0]
    hung.switch.health_delay = 1.5

    started = time.monotonic()
    loop.tick()
    elapsed = time.monotonic() - started

    assert elapsed < 1.0, elapsed
    entry = _heartbeat(heartbeat_file)["replicas"][hung.name]
    assert (entry["state"], entry["detail"]) == ("down", "no answer from /health within 0.3 s")


def test_a_failing_slow_webhook_does_not_delay_ticks(
    clean_env: None, server: LocalHttpServer, switch: Switch, heartbeat_file: Path
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
    clean_env: None, server: LocalHttpServer, heartbeat_file: Path
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
