"""``python -m dashboard.monitor`` in a subprocess, as the sidecar runs it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.app.job_helpers import (
    RecordedRequest,
    job_environment,
    json_lines,
    local_http_server,
    log_messages,
    run_module,
    running_module,
    stop_with_sigterm,
)
from tests.app.ticket_helpers import wait_until


def test_help_lists_the_environment() -> None:
    result = run_module("dashboard.monitor", "--help", env=job_environment())

    assert result.returncode == 0
    assert "DASHBOARD_MONITOR_TARGET_URL" in result.stdout
    assert "DASHBOARD_MONITOR_WEBHOOK_URL" in result.stdout


def test_missing_target_exits_2_with_one_line() -> None:
    result = run_module("dashboard.monitor", env=job_environment())

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "DASHBOARD_MONITOR_TARGET_URL" in line


def test_bad_interval_exits_2_naming_the_variable() -> None:
    env = job_environment(
        DASHBOARD_MONITOR_TARGET_URL="http://127.0.0.1:9", DASHBOARD_MONITOR_INTERVAL_SECONDS="0"
    )

    result = run_module("dashboard.monitor", env=env)

    assert result.returncode == 2
    assert result.stderr.startswith("invalid configuration: DASHBOARD_MONITOR_INTERVAL_SECONDS")


def test_bad_replica_list_exits_2_naming_the_variable() -> None:
    env = job_environment(
        DASHBOARD_MONITOR_TARGET_URL="http://127.0.0.1:9",
        DASHBOARD_MONITOR_REPLICA_URLS="http://127.0.0.1:10,127.0.0.1:11",
    )

    result = run_module("dashboard.monitor", env=env)

    assert result.returncode == 2
    assert result.stderr.startswith("invalid configuration: DASHBOARD_MONITOR_REPLICA_URLS")


def _heartbeat(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _heartbeat_state(path: Path) -> str | None:
    return _heartbeat(path).get("state")


def _wait_for_state(path: Path, state: str) -> bool:
    return wait_until(lambda: _heartbeat_state(path) == state, timeout=10)


def _wait_for_replica_state(path: Path, replica: str, state: str) -> bool:
    def reached() -> bool:
        return _heartbeat(path).get("replicas", {}).get(replica, {}).get("state") == state

    return wait_until(reached, timeout=10)


def test_monitor_logs_transitions_and_stops_on_sigterm(tmp_path: Path) -> None:
    health = {"status": 200}

    def answer_health(_request: RecordedRequest) -> tuple[int, Any]:
        return health["status"], {}

    heartbeat = tmp_path / "heartbeat.json"
    with local_http_server({"/health": answer_health}) as server:
        env = job_environment(
            DASHBOARD_MONITOR_TARGET_URL=server.base_url,
            DASHBOARD_MONITOR_INTERVAL_SECONDS="0.1",
            DASHBOARD_MONITOR_HEARTBEAT_FILE=heartbeat,
        )
        with running_module("dashboard.monitor", env=env) as process:
            assert _wait_for_state(heartbeat, "healthy")
            health["status"] = 503
            assert _wait_for_state(heartbeat, "unhealthy")
            time.sleep(0.3)  # a few unchanged ticks that must not log
            stdout, stderr = stop_with_sigterm(process)

    assert process.returncode == 0, stderr
    assert log_messages(stdout) == [
        "monitor started",
        "initial_state",
        "target_unhealthy",
        "stop requested",
        "monitor stopped",
    ]


def test_monitor_reports_a_replica_down_while_the_service_is_up(tmp_path: Path) -> None:
    replica_health = {"status": 200}

    def answer_replica(_request: RecordedRequest) -> tuple[int, Any]:
        return replica_health["status"], {}

    heartbeat = tmp_path / "heartbeat.json"
    with (
        local_http_server({"/health": lambda _request: (200, {})}) as service,
        local_http_server({"/health": answer_replica}) as replica,
    ):
        name = "127.0.0.1"  # the host of the one replica's URL
        env = job_environment(
            DASHBOARD_MONITOR_TARGET_URL=service.base_url,
            DASHBOARD_MONITOR_REPLICA_URLS=replica.base_url,
            DASHBOARD_MONITOR_INTERVAL_SECONDS="0.1",
            DASHBOARD_MONITOR_HEARTBEAT_FILE=heartbeat,
        )
        with running_module("dashboard.monitor", env=env) as process:
            assert _wait_for_replica_state(heartbeat, name, "up")
            replica_health["status"] = 503
            assert _wait_for_replica_state(heartbeat, name, "down")
            assert _heartbeat_state(heartbeat) == "healthy"
            stdout, stderr = stop_with_sigterm(process)

    assert process.returncode == 0, stderr
    lines = json_lines(stdout)
    assert [line["message"] for line in lines] == [
        "monitor started",
        "initial_state",
        "initial_state",
        "replica_down",
        "stop requested",
        "monitor stopped",
    ]
    assert lines[0]["replicas"] == [name]
    down = lines[3]
    assert (down["level"], down["replica"], down["target"]) == ("WARNING", name, replica.base_url)
