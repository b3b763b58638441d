"""One backup: archive the data volume and the ticket tree, verify, publish, record."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dashboard.backup import status
from dashboard.backup.archive import verify_archive, write_archive
from dashboard.backup.naming import PARTIAL_PREFIX, PARTIAL_SUFFIX, ArchiveInfo, archive_name
from dashboard.backup.settings import BackupSettings
from dashboard.backup.source_tree import TreeEntry, walk_tree
from dashboard.runtime.atomic import fsync_folder
from dashboard.tickets.tree_locks import locks_dir

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class BackupError(Exception):
    """A backup could not be made; the message says what to fix."""


@dataclass(frozen=True)
class BackupResult:
    archive: ArchiveInfo
    duration_seconds: float


def utc_now() -> datetime:
    return datetime.now(UTC)


def run_backup(
    settings: BackupSettings, stop: threading.Event, clock: Clock = utc_now
) -> BackupResult:
    """Make one verified archive and record the outcome in the status file.

    Raises whatever made the backup fail, after recording it.
    """
    started = clock()
    started_monotonic = time.monotonic()
    logger.info("backup started", extra={"backup_dir": str(settings.backup_dir)})
    try:
        archive = _make_archive(settings, started, stop)
    except Exception as error:
        status.record_failure(settings.backup_dir, failed=clock(), error=describe_failure(error))
        raise
    result = BackupResult(archive, time.monotonic() - started_monotonic)
    status.record_success(
        settings.backup_dir,
        finished=clock(),
        archive_name=archive.name,
        size_bytes=archive.size_bytes,
        duration_seconds=result.duration_seconds,
    )
    logger.info(
        "backup finished",
        extra={
            "archive": archive.name,
            "size_bytes": archive.size_bytes,
            "duration_seconds": round(result.duration_seconds, 3),
        },
    )
    return result


def _make_archive(
    settings: BackupSettings, started: datetime, stop: threading.Event
) -> ArchiveInfo:
    _require_directory(settings.data_dir, "DASHBOARD_DATA_DIR")
    _require_directory(settings.tickets_dir, "DASHBOARD_TICKETS_DIR")
    _require_directory(settings.backup_dir, "DASHBOARD_BACKUP_DIR")
    final_path = settings.backup_dir / archive_name(started)
    if final_path.exists():
        raise BackupError(f"{final_path} already exists: backups must be at least a second apart")
    with _partial_file(settings.backup_dir) as partial_path:
        with partial_path.open("wb") as stream:
            manifest = write_archive(stream, _archive_entries(settings), stop)
            stream.flush()
            os.fsync(stream.fileno())
        verify_archive(partial_path, manifest)
        os.rename(partial_path, final_path)
    # Makes the rename itself durable, so a crash right after cannot lose the archive.
    fsync_folder(settings.backup_dir)
    return ArchiveInfo(final_path, started, final_path.stat().st_size)


def _archive_entries(settings: BackupSettings) -> Iterator[TreeEntry]:
    yield from walk_tree(settings.data_dir, "data")
    # Not the replicas' lock files: coordination while running, nothing to restore.
    yield from walk_tree(settings.tickets_dir, "tickets", skip=locks_dir(settings.tickets_dir))


def _require_directory(path: Path, variable: str) -> None:
    # A missing source usually means a volume that did not mount; an archive of
    # nothing would look like a good backup, so fail loudly instead.
    if not path.is_dir():
        raise BackupError(f"{variable}={path} is not a directory: check the volume mount")


@contextlib.contextmanager
def _partial_file(backup_dir: Path) -> Iterator[Path]:
    """A new hidden file in ``backup_dir`` (mode 0600), removed unless renamed away.

    Same folder as the final archive so the rename is atomic; hidden and named apart
    from archives so neither ``list`` nor retention ever takes it for one.
    """
    fd, name = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX, dir=backup_dir)
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def log_failure(error: Exception) -> None:
    # Expected failures (a missing mount) need no traceback; surprises do.
    logger.error(
        "backup failed",
        extra={"error": describe_failure(error)},
        exc_info=not isinstance(error, BackupError),
    )


def describe_failure(error: Exception) -> str:
    """One line for the status file and logs; our own errors need no type name."""
    if isinstance(error, BackupError):
        return str(error)
    return f"{type(error).__name__}: {error}"
