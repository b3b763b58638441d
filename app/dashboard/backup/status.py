"""BACKUP_DIR/backup-status.json: what the dashboard shows about backups.

Shape: {"last_success", "last_archive", "size_bytes", "duration_seconds", "last_error",
"updated_at"}. A failure keeps the fields of the last success, so the dashboard can say
"last good backup at X, latest attempt failed with Y".
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from dashboard.runtime.atomic import write_json_atomically

logger = logging.getLogger(__name__)

# The file's name and keys; the dashboard reads it with these (``dashboard.sidecars``).
STATUS_FILE_NAME = "backup-status.json"
STATUS_KEYS = (
    "last_success",
    "last_archive",
    "size_bytes",
    "duration_seconds",
    "last_error",
    "updated_at",
)

_EMPTY_STATUS: dict[str, Any] = dict.fromkeys(STATUS_KEYS)


def read_status(backup_dir: Path) -> dict[str, Any]:
    """The recorded status, or an empty one if there is none or it cannot be read."""
    try:
        recorded = json.loads((backup_dir / STATUS_FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return dict(_EMPTY_STATUS)
    if not isinstance(recorded, dict):
        return dict(_EMPTY_STATUS)
    return {key: recorded.get(key) for key in _EMPTY_STATUS}


def record_success(
    backup_dir: Path,
    *,
    finished: datetime,
    archive_name: str,
    size_bytes: int,
    duration_seconds: float,
) -> None:
    _write(
        backup_dir,
        {
            "last_success": finished.isoformat(),
            "last_archive": archive_name,
            "size_bytes": size_bytes,
            "duration_seconds": round(duration_seconds, 3),
            "last_error": None,
            "updated_at": finished.isoformat(),
        },
    )


def record_failure(backup_dir: Path, *, failed: datetime, error: str) -> None:
    status = read_status(backup_dir)
    status.update(last_error=error, updated_at=failed.isoformat())
    _write(backup_dir, status)


def _write(backup_dir: Path, status: dict[str, Any]) -> None:
    # A status file we cannot write must not hide the backup's own outcome, so it
    # is logged here rather than raised.
    try:
        write_json_atomically(backup_dir / STATUS_FILE_NAME, status)
    except OSError as error:
        logger.error(
            "could not write the status file",
            extra={"path": str(backup_dir / STATUS_FILE_NAME), "error": str(error)},
        )
