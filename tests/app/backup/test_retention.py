"""Retention deletes this job's expired archives and never anything else."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.backup.naming import archive_name
from dashboard.backup.retention import prune_archives

NOW = datetime(2025, 6, 30, 12, 0, 0, tzinfo=UTC)
RETENTION_DAYS = 30


def _archive(backup_dir: Path, age: timedelta, mtime_age: timedelta | None = None) -> Path:
    """A file named like our archive created ``age`` before NOW; mtime set separately."""
    path = backup_dir / archive_name(NOW - age)
    path.write_bytes(b"archive")
    _set_mtime(path, NOW - (mtime_age if mtime_age is not None else age))
    return path


def _set_mtime(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


def test_expired_archives_go_and_recent_ones_stay(backup_dir: Path) -> None:
    expired = _archive(backup_dir, timedelta(days=31))
    much_older = _archive(backup_dir, timedelta(days=400))
    recent = _archive(backup_dir, timedelta(days=29))
    newest = _archive(backup_dir, timedelta(hours=1))

    removed = prune_archives(backup_dir, RETENTION_DAYS, NOW)

    assert sorted(archive.path for archive in removed) == sorted([expired, much_older])
    assert sorted(backup_dir.iterdir()) == sorted([recent, newest])


def test_age_comes_from_the_name_not_the_mtime(backup_dir: Path) -> None:
    old_name_fresh_mtime = _archive(backup_dir, timedelta(days=90), mtime_age=timedelta(0))
    new_name_old_mtime = _archive(backup_dir, timedelta(days=1), mtime_age=timedelta(days=900))
    newest = _archive(backup_dir, timedelta(0))

    prune_archives(backup_dir, RETENTION_DAYS, NOW)

    assert not old_name_fresh_mtime.exists()
    assert new_name_old_mtime.exists()
    assert newest.exists()


def test_files_we_did_not_make_are_never_deleted(backup_dir: Path) -> None:
    ancient = NOW - timedelta(days=3650)
    foreign = [
        backup_dir / "notes.txt",
        backup_dir / "other-app-20150101T000000Z.tar.gz",
        backup_dir / "ticket-dashboard-backup-20150101T000000Z.tar.gz.bak",
        backup_dir / "ticket-dashboard-backup-2015-01-01.tar.gz",
        backup_dir / "backup-status.json",
    ]
    for path in foreign:
        path.write_bytes(b"not ours")
        _set_mtime(path, ancient)
    look_alike_folder = backup_dir / archive_name(ancient)
    look_alike_folder.mkdir()
    _archive(backup_dir, timedelta(0))

    prune_archives(backup_dir, RETENTION_DAYS, NOW)

    assert all(path.read_bytes() == b"not ours" for path in foreign)
    assert look_alike_folder.is_dir()


def test_the_newest_archive_survives_however_old(backup_dir: Path) -> None:
    older = _archive(backup_dir, timedelta(days=90))
    newest = _archive(backup_dir, timedelta(days=60))

    prune_archives(backup_dir, RETENTION_DAYS, NOW)

    assert not older.exists()
    assert newest.exists()


def test_stale_partial_files_are_cleaned_but_fresh_ones_kept(backup_dir: Path) -> None:
    stale = backup_dir / ".ticket-dashboard-backup-a1b2c3.partial"
    in_progress = backup_dir / ".ticket-dashboard-backup-d4e5f6.partial"
    for path in (stale, in_progress):
        path.write_bytes(b"half")
    _set_mtime(stale, NOW - timedelta(days=2))
    _set_mtime(in_progress, NOW - timedelta(minutes=5))

    prune_archives(backup_dir, RETENTION_DAYS, NOW)

    assert not stale.exists()
    assert in_progress.exists()
