"""The backup daemon: schedule, retention after each backup, survival, prompt shutdown."""

from __future__ import annotations

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
from tests.app.job_helpers import (
    backup_environment,
    backup_settings,
    log_messages,
    running_module,
    stop_with_sigterm,
)
from tests.app.ticket_helpers import wait_until

# One second before the default schedule ("0 2 * * *") fires.
JUST_BEFORE_TWO = datetime(2025, 5, 10, 1, 59, 59, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> BackupSettings:
    """backup/conftest.py's, with a retention the schedule tests can outlive."""
    return backup_settings(tmp_path, backup_retention_days=7)


def _clock_starting_at(start: datetime) -> Callable[[], datetime]:
    """Wall time that starts at ``start`` and runs at real speed."""
    offset = start - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


def _status_has(settings: BackupSettings, key: str) -> Callable[[], bool]:
    """A condition: backup-status.json has a value for ``key``."""
    return lambda: read_status(settings.backup_dir)[key] is not None


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

    assert wait_until(lambda: not expired.exists(), timeout=10), (
        "retention did not run after the backup"
    )
    assert scheduled.exists()


def test_a_failed_backup_is_recorded_and_the_daemon_keeps_running(
    settings: BackupSettings, tmp_path: Path, daemon_thread: DaemonThread
) -> None:
    broken = settings.model_copy(update={"tickets_dir": tmp_path / "not-mounted"})

    daemon_thread.start(broken, _clock_starting_at(JUST_BEFORE_TWO), at_start=True)

    assert wait_until(_status_has(settings, "last_error"), timeout=10)
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
    assert wait_until(_status_has(settings, "last_error"), timeout=10)
    daemon_thread.stop()

    assert expired.exists()


@pytest.mark.parametrize(
    ("extra_env", "args"),
    [({"DASHBOARD_BACKUP_ON_START": "true"}, ()), ({}, ("--once-at-start",))],
    ids=["env", "flag"],
)
def test_daemon_backs_up_at_start_and_stops_promptly_on_sigterm(
    settings: BackupSettings, extra_env: dict[str, str], args: tuple[str, ...]
) -> None:
    env = backup_environment(settings, **extra_env)
    with running_module("dashboard.backup", "daemon", *args, env=env) as process:
        assert wait_until(lambda: len(list_archives(settings.backup_dir)) == 1, timeout=15)
        assert wait_until(_status_has(settings, "last_success"), timeout=10)
        stdout, stderr = stop_with_sigterm(process)
    assert process.returncode == 0, stderr
    messages = log_messages(stdout)
    assert "backup finished" in messages
    assert messages[-1] == "backup daemon stopped"
