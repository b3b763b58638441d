"""Fixtures for the backup job's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.backup.settings import BackupSettings
from tests.app.job_helpers import backup_settings


@pytest.fixture
def settings(tmp_path: Path) -> BackupSettings:
    """A fresh ticket tree and data folder, backed up into an empty folder."""
    return backup_settings(tmp_path)
