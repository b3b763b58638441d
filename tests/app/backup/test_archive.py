"""A backup run produces one verified archive of the data volume and the ticket tree."""

from __future__ import annotations

import os
import tarfile
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dashboard.backup import job
from dashboard.backup.archive import (
    ArchiveVerificationError,
    BackupCancelled,
    ManifestEntry,
    verify_archive,
    write_archive,
)
from dashboard.backup.job import BackupError, run_backup
from dashboard.backup.naming import archive_name, list_archives, parse_archive_name
from dashboard.backup.settings import BackupSettings
from dashboard.backup.source_tree import walk_tree
from dashboard.tickets.tree_locks import locks_dir
from tests.app.job_helpers import make_data_dir, snapshot

STARTED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def _backup(settings: BackupSettings, at: datetime = STARTED) -> Path:
    return run_backup(settings, threading.Event(), clock=lambda: at).archive.path


def _archived_bytes(archive: Path) -> dict[str, object]:
    with tarfile.open(archive) as tar:
        return {
            member.name: tar.extractfile(member).read() if member.isfile() else member.type
            for member in tar
        }


def test_archive_is_named_for_its_utc_start_time(settings: BackupSettings) -> None:
    archive = _backup(settings)

    assert archive == settings.backup_dir / "ticket-dashboard-backup-20250102T030405Z.tar.gz"


def test_archive_holds_every_file_of_data_and_tickets(settings: BackupSettings) -> None:
    archived = _archived_bytes(_backup(settings))

    for prefix, root in (("data", settings.data_dir), ("tickets", settings.tickets_dir)):
        for relative, content in snapshot(root).items():
            name = f"{prefix}/{relative}"
            assert name in archived, name
            if isinstance(content, bytes):
                assert archived[name] == content, name
    assert archived["data"] == tarfile.DIRTYPE
    assert archived["tickets"] == tarfile.DIRTYPE


def test_the_replicas_lock_files_are_not_archived(settings: BackupSettings) -> None:
    locks = locks_dir(settings.tickets_dir)
    locks.mkdir(parents=True, exist_ok=True)
    (locks / "TICKET-1.lock").touch()

    archived = _archived_bytes(_backup(settings))

    assert not [name for name in archived if "/.locks" in name]
    assert "tickets/planning" in archived


def test_backup_dir_holds_only_the_archive_and_status(settings: BackupSettings) -> None:
    archive = _backup(settings)

    assert sorted(path.name for path in settings.backup_dir.iterdir()) == [
        "backup-status.json",
        archive.name,
    ]


def test_links_leaving_the_tree_and_special_files_are_left_out(settings: BackupSettings) -> None:
    (settings.tickets_dir / "to-etc").symlink_to("/etc/passwd")
    (settings.tickets_dir / "to-parent").symlink_to("../data")
    os.mkfifo(settings.data_dir / "pipe")

    archived = _archived_bytes(_backup(settings))

    assert "tickets/to-etc" not in archived
    assert "tickets/to-parent" not in archived
    assert "data/pipe" not in archived
    assert archived["tickets/planning/tickets/latest.md"] == tarfile.SYMTYPE


def test_verification_failure_publishes_no_archive(
    settings: BackupSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_verify(path: Path, manifest: object) -> None:
        raise ArchiveVerificationError("simulated mismatch")

    monkeypatch.setattr(job, "verify_archive", failing_verify)

    with pytest.raises(ArchiveVerificationError):
        _backup(settings)
    assert [path.name for path in settings.backup_dir.iterdir()] == ["backup-status.json"]


def test_stop_request_cancels_and_leaves_no_partial_file(settings: BackupSettings) -> None:
    stop = threading.Event()
    stop.set()

    with pytest.raises(BackupCancelled):
        run_backup(settings, stop, clock=lambda: STARTED)
    assert [path.name for path in settings.backup_dir.iterdir()] == ["backup-status.json"]


def test_second_backup_in_the_same_second_keeps_the_first(settings: BackupSettings) -> None:
    archive = _backup(settings)
    first_bytes = archive.read_bytes()

    with pytest.raises(BackupError, match="already exists"):
        _backup(settings)
    assert archive.read_bytes() == first_bytes


def test_list_archives_returns_ours_oldest_first(settings: BackupSettings) -> None:
    newer = _backup(settings, STARTED + timedelta(hours=1))
    older = _backup(settings, STARTED)
    (settings.backup_dir / "notes.tar.gz").write_bytes(b"not ours")

    assert [archive.path for archive in list_archives(settings.backup_dir)] == [older, newer]


@pytest.mark.parametrize(
    ("tampered_name", "tampered_entry"),
    [
        ("data/blob.bin", ManifestEntry("file", size=16384, sha256="0" * 64)),
        ("data/blob.bin", ManifestEntry("file", size=1, sha256="")),
        ("data/not-written.txt", ManifestEntry("file", size=0, sha256="")),
    ],
)
def test_verification_compares_sizes_hashes_and_members(
    tmp_path: Path, tampered_name: str, tampered_entry: ManifestEntry
) -> None:
    archive = tmp_path / "check.tar.gz"
    with archive.open("wb") as stream:
        manifest = write_archive(
            stream, walk_tree(make_data_dir(tmp_path / "data"), "data"), threading.Event()
        )
    verify_archive(archive, manifest)  # the honest manifest passes

    with pytest.raises(ArchiveVerificationError):
        verify_archive(archive, {**manifest, tampered_name: tampered_entry})


def test_verification_notices_a_missing_member(tmp_path: Path) -> None:
    archive = tmp_path / "check.tar.gz"
    with archive.open("wb") as stream:
        manifest = write_archive(
            stream, walk_tree(make_data_dir(tmp_path / "data"), "data"), threading.Event()
        )
    fewer = {name: entry for name, entry in manifest.items() if name != "data/audit.log"}

    with pytest.raises(ArchiveVerificationError, match="1 unexpected"):
        verify_archive(archive, fewer)


def test_archive_name_is_utc_whatever_the_clock_zone() -> None:
    two_hours_east = timezone(timedelta(hours=2))

    name = archive_name(datetime(2025, 1, 2, 5, 4, 5, tzinfo=two_hours_east))

    assert name == "ticket-dashboard-backup-20250102T030405Z.tar.gz"
    assert parse_archive_name(name) == STARTED


@pytest.mark.parametrize(
    "name",
    [
        "ticket-dashboard-backup-20250102T030405Z.tar.gz.bak",
        "old-ticket-dashboard-backup-20250102T030405Z.tar.gz",
        "ticket-dashboard-backup-20250102T030405.tar.gz",
        "ticket-dashboard-backup-20251302T030405Z.tar.gz",
        "ticket-dashboard-backup-2025010T030405Z.tar.gz",
        ".ticket-dashboard-backup-abc123.partial",
        "backup-status.json",
    ],
)
def test_names_we_did_not_make_are_not_ours(name: str) -> None:
    assert parse_archive_name(name) is None
