"""The backup daemon: schedule, retention after each backup, survival, prompt shutdown."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.backup.daemon import BackupDaemon
from dashboard.backup.naming import archive_name, list_archives
from dashboard.backup.settings import BackupSettings
from dashboard.backup.status import read_status
from tests.app.jobs_fixtures import (
    REPO_ROOT,
    job_environment,
    json_lines,
    make_data_dir,
    make_ticket_tree,
)

# One second before the default schedule ("0 2 * * *") fires.
JUST_BEFORE_TWO = datetime(2025, 5, 10, 1, 59, 59, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> BackupSettings:
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    return BackupSettings(
        tickets_dir=make_ticket_tree(tmp_path / "tickets"),
        data_dir=make_data_dir(tmp_path / "data"),
        backup_dir=backup_dir,
        backup_retention_days=7,
    )


def _clock_starting_at(start: datetime) -> Callable[[], datetime]:
    """Wall time that starts at ``start`` and runs at real speed."""
    offset = start - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


class DaemonThread:
    """A BackupDaemon running in a thread, with a fast wake-up interval."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(
        self, settings: BackupSettings, clock: Callable[[], datetime], at_start: bool = False
    ) -> None:
        daemon = BackupDaemon(settings, self._stop, clock, wake_interval_seconds=0.05)
        self._thread = threading.Thread(target=daemon.run, args=(at_start,))
        self._thread.start()

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            assert not self._thread.is_alive(), "daemon did not stop within 5 s"


@pytest.fixture
def daemon_thread() -> Iterator[DaemonThread]:
    runner = DaemonThread()
    yield runner
    runner.stop()


def test_scheduled_backup_fires_then_expired_archives_are_pruned(
    settings: BackupSettings, daemon_thread: DaemonThread
) -> None:
    expired = settings.backup_dir / archive_name(JUST_BEFORE_TWO - timedelta(days=8))
    expired.write_bytes(b"old archive")
    scheduled = settings.backup_dir / archive_name(JUST_BEFORE_TWO + timedelta(seconds=1))

    daemon_thread.start(settings, _clock_starting_at(JUST_BEFORE_TWO))

    assert _wait_for(lambda: not expired.exists()), "retention did not run after the backup"
    assert scheduled.exists()


def test_a_failed_backup_is_recorded_and_the_daemon_keeps_running(
    settings: BackupSettings, tmp_path: Path, daemon_thread: DaemonThread
) -> None:
    broken = settings.model_copy(update={"tickets_dir": tmp_path / "not-mounted"})

    daemon_thread.start(broken, _clock_starting_at(JUST_BEFORE_TWO), at_start=True)

    assert _wait_for(lambda: read_status(settings.backup_dir)["last_error"] is not None)
    time.sleep(0.2)
    assert daemon_thread.is_alive()
    assert "DASHBOARD_TICKETS_DIR" in read_status(settings.backup_dir)["last_error"]


def test_a_failed_backup_prunes_nothing(
    settings: BackupSettings, tmp_path: Path, daemon_thread: DaemonThread
) -> None:
    expired = settings.backup_dir / archive_name(JUST_BEFORE_TWO - timedelta(days=30))
    newest = settings.backup_dir / archive_name(JUST_BEFORE_TWO - timedelta(days=20))
    for path in (expired, newest):
        path.write_bytes(b"old archive")
    broken = settings.model_copy(update={"data_dir": tmp_path / "not-mounted"})

    daemon_thread.start(broken, _clock_starting_at(JUST_BEFORE_TWO), at_start=True)
    assert _wait_for(lambda: read_status(settings.backup_dir)["last_error"] is not None)
    daemon_thread.stop()

    assert expired.exists()


def _start_daemon_process(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard.backup", "daemon", *args],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    ("extra_env", "args"),
    [({"DASHBOARD_BACKUP_ON_START": "true"}, ()), ({}, ("--once-at-start",))],
    ids=["env", "flag"],
)
def test_daemon_backs_up_at_start_and_stops_promptly_on_sigterm(
    settings: BackupSettings, extra_env: dict[str, str], args: tuple[str, ...]
) -> None:
    env = job_environment(
        DASHBOARD_TICKETS_DIR=settings.tickets_dir,
        DASHBOARD_DATA_DIR=settings.data_dir,
        DASHBOARD_BACKUP_DIR=settings.backup_dir,
        **extra_env,
    )
    process = _start_daemon_process(env, *args)
    try:
        assert _wait_for(lambda: len(list_archives(settings.backup_dir)) == 1, timeout=15)
        assert _wait_for(lambda: read_status(settings.backup_dir)["last_success"] is not None)
        process.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        stdout, stderr = process.communicate(timeout=5)
        assert time.monotonic() - stopped_at < 3
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    messages = [line["msg"] for line in json_lines(stdout)]
    assert "backup finished" in messages
    assert messages[-1] == "backup daemon stopped"
