"""Deleting archives older than the retention period, and only archives this job made."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from pathlib import Path

from dashboard.backup.naming import PARTIAL_PREFIX, PARTIAL_SUFFIX, ArchiveInfo, list_archives

logger = logging.getLogger(__name__)

# A partial file this old cannot belong to a backup still being written.
STALE_PARTIAL_AGE = timedelta(days=1)


def prune_archives(backup_dir: Path, retention_days: int, now: datetime) -> list[ArchiveInfo]:
    """Delete this job's archives created more than ``retention_days`` before ``now``.

    Age comes from the timestamp in the name, not the file's mtime, which copies and
    restores of the backup folder do not preserve. The newest archive is always kept,
    however old: if backups have been failing for longer than the retention period,
    it is the only one left to restore from.
    """
    cutoff = now - timedelta(days=retention_days)
    expired = [archive for archive in list_archives(backup_dir)[:-1] if archive.created < cutoff]
    for archive in expired:
        archive.path.unlink()
        logger.info(
            "deleted expired archive",
            extra={"archive": archive.name, "created": archive.created.isoformat()},
        )
    _remove_stale_partials(backup_dir, now)
    return expired


def _remove_stale_partials(backup_dir: Path, now: datetime) -> None:
    """Leftovers of a job killed mid-write; they would otherwise pile up forever."""
    cutoff = (now - STALE_PARTIAL_AGE).timestamp()
    for partial in backup_dir.glob(f"{PARTIAL_PREFIX}*{PARTIAL_SUFFIX}"):
        if partial.is_file() and partial.stat().st_mtime < cutoff:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            logger.info("deleted stale partial archive", extra={"path": str(partial)})
