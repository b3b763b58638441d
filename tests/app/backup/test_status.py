"""backup-status.json after successes and failures: what the dashboard shows."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboard.backup.job import BackupError, run_backup
from dashboard.backup.settings import BackupSettings
from dashboard.backup.status import STATUS_FILE_NAME, STATUS_KEYS

FIRST = datetime(2025, 3, 1, 2, 0, 0, tzinfo=UTC)


def _status(settings: BackupSettings) -> dict[str, Any]:
    return json.loads((settings.backup_dir / STATUS_FILE_NAME).read_text(encoding="utf-8"))


def _backup_at(settings: BackupSettings, when: datetime) -> None:
    run_backup(settings, threading.Event(), clock=lambda: when)


def test_status_after_success_describes_the_archive(settings: BackupSettings) -> None:
    _backup_at(settings, FIRST)

    status = _status(settings)
    archive = settings.backup_dir / "ticket-dashboard-backup-20250301T020000Z.tar.gz"
    assert set(status) == set(STATUS_KEYS)
    assert status["last_archive"] == archive.name
    assert status["size_bytes"] == archive.stat().st_size
    assert isinstance(status["duration_seconds"], float)
    assert status["duration_seconds"] >= 0
    assert status["last_error"] is None
    assert datetime.fromisoformat(status["last_success"]) == FIRST
    assert datetime.fromisoformat(status["updated_at"]) == FIRST


def test_failure_without_any_success_names_the_problem(
    settings: BackupSettings, tmp_path: Path
) -> None:
    broken = settings.model_copy(update={"tickets_dir": tmp_path / "not-mounted"})

    with pytest.raises(BackupError):
        _backup_at(broken, FIRST)

    status = _status(settings)
    assert set(status) == set(STATUS_KEYS)
    assert status["last_success"] is None
    assert status["last_archive"] is None
    assert status["size_bytes"] is None
    assert "DASHBOARD_TICKETS_DIR" in status["last_error"]
    assert datetime.fromisoformat(status["updated_at"]) == FIRST


def test_failure_after_success_keeps_the_last_good_backup(
    settings: BackupSettings, tmp_path: Path
) -> None:
    _backup_at(settings, FIRST)
    good = _status(settings)
    later = FIRST + timedelta(days=1)
    broken = settings.model_copy(update={"data_dir": tmp_path / "missing-data"})

    with pytest.raises(BackupError):
        _backup_at(broken, later)

    status = _status(settings)
    for key in ("last_success", "last_archive", "size_bytes", "duration_seconds"):
        assert status[key] == good[key], key
    assert "DASHBOARD_DATA_DIR" in status["last_error"]
    assert datetime.fromisoformat(status["updated_at"]) == later


def test_success_after_failure_clears_the_error(settings: BackupSettings, tmp_path: Path) -> None:
    broken = settings.model_copy(update={"data_dir": tmp_path / "missing-data"})
    with pytest.raises(BackupError):
        _backup_at(broken, FIRST)

    _backup_at(settings, FIRST + timedelta(hours=1))

    assert _status(settings)["last_error"] is None


def test_a_corrupt_status_file_is_replaced(settings: BackupSettings) -> None:
    (settings.backup_dir / STATUS_FILE_NAME).write_text("{not json", encoding="utf-8")

    _backup_at(settings, FIRST)

    assert _status(settings)["last_error"] is None


def test_status_write_leaves_no_temporary_files(settings: BackupSettings) -> None:
    _backup_at(settings, FIRST)
    _backup_at(settings, FIRST + timedelta(seconds=1))

    hidden = [path.name for path in settings.backup_dir.iterdir() if path.name.startswith(".")]
    assert hidden == []
