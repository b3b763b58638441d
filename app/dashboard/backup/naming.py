"""Archive names: the only way this job recognises archives it made.

Retention deletes files, so it must never touch anything it did not create; every
decision goes through ``parse_archive_name``, which accepts exactly
``ticket-dashboard-backup-YYYYMMDDTHHMMSSZ.tar.gz`` and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ARCHIVE_PREFIX = "ticket-dashboard-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_ARCHIVE_NAME = re.compile(
    re.escape(ARCHIVE_PREFIX) + r"(\d{8}T\d{6}Z)" + re.escape(ARCHIVE_SUFFIX)
)

# Archives are written under this hidden prefix and renamed when complete, so a
# half-written file never matches the archive pattern.
PARTIAL_PREFIX = f".{ARCHIVE_PREFIX}"
PARTIAL_SUFFIX = ".partial"


@dataclass(frozen=True)
class ArchiveInfo:
    path: Path
    created: datetime
    size_bytes: int

    @property
    def name(self) -> str:
        return self.path.name


def archive_name(created: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{created.astimezone(UTC).strftime(_TIMESTAMP_FORMAT)}{ARCHIVE_SUFFIX}"


def parse_archive_name(name: str) -> datetime | None:
    """The UTC creation time encoded in ``name``, or None if we did not make that file."""
    match = _ARCHIVE_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), _TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:  # the right shape but not a date, e.g. month 13
        return None


def list_archives(backup_dir: Path) -> list[ArchiveInfo]:
    """This job's archives in ``backup_dir``, oldest first."""
    archives = []
    for entry in backup_dir.iterdir():
        created = parse_archive_name(entry.name)
        if created is not None and entry.is_file() and not entry.is_symlink():
            archives.append(ArchiveInfo(entry, created, entry.stat().st_size))
    return sorted(archives, key=lambda archive: archive.created)
