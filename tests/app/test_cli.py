"""`python -m dashboard`: --help, configuration errors, and a real start and SIGTERM stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.envconfig import env_name
from dashboard.settings import Settings
from tests.app.ticket_helpers import (
    REPO_ROOT,
    TicketTree,
    dashboard_env,
    free_port,
    start_dashboard_process,
    wait_until,
)


def run_module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_help_describes_the_server_and_every_variable(ticket_tree: TicketTree, tmp_path: Path):
    result = run_module("--help", env=dashboard_env(ticket_tree, tmp_path, 1))

    assert result.returncode == 0
    assert "gunicorn" in result.stdout
    for field in Settings.model_fields:
        assert env_name(Settings, field) in result.stdout


def test_invalid_setting_exits_2_with_one_line(ticket_tree: TicketTree, tmp_path: Path):
    env = dashboard_env(ticket_tree, tmp_path, 1)
    env["DASHBOARD_PORT"] = "abc"

    result = run_module(env=env)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "DASHBOARD_PORT: expected an integer 1-65535, got 'abc'"
    ]


def get_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return int(response.status)
    except OSError:
        return None


@pytest.mark.timeout(60)
def test_server_serves_health_and_stops_on_sigterm_within_10s(
    ticket_tree: TicketTree, tmp_path: Path
):
    port = free_port()
    (tmp_path / "data").mkdir()
    process = start_dashboard_process(dashboard_env(ticket_tree, tmp_path, port))
    try:
        assert wait_until(lambda: get_status(f"http://127.0.0.1:{port}/health") == 200, 20)
        # /health answers while the app is still built; the stream needs the app.
        assert wait_until(lambda: get_status(f"http://127.0.0.1:{port}/ready") == 200, 20)
        events = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/events", timeout=10)
        assert events.readline().startswith(b"retry:")  # a live stream is open

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)

        assert time.monotonic() - started < 10
        assert code == 0
        assert events.read() is not None  # the stream was ended by the server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = process.stdout.read().decode() if process.stdout else ""
    assert '"message": "index synced"' in output  # JSON log lines on stdout
