"""Restoring an archive into an empty directory, refusing anything that could escape it."""

from __future__ import annotations

import copy
import gzip
import logging
import os
import posixpath
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from dashboard.backup.progress import ProgressReporter
from dashboard.backup.source_tree import climbs_out

logger = logging.getLogger(__name__)

# tarfile's "data" filter (PEP 706) arrived in CPython 3.11.4; Debian bookworm's 3.11.2
# may lack it. The checks in ``unsafe_reason`` run either way; without the filter,
# ``_as_plain_data`` applies the same ownership and mode rules by hand.
SUPPORTS_DATA_FILTER = hasattr(tarfile, "data_filter")


class RestoreError(Exception):
    """The restore was refused or failed; the message says why."""


def restore_archive(archive: Path, target: Path) -> int:
    """Extract ``archive`` into ``target`` (created if missing, else it must be empty).

    Every member is checked before anything is written, so a malicious archive leaves
    the target untouched. Returns the number of members restored.
    """
    if not archive.is_file():
        raise RestoreError(f"archive {archive} does not exist")
    _require_empty_directory(target)
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = tar.getmembers()
            _refuse_unsafe_members(members, archive)
            progress = ProgressReporter("restoring")
            _extract(tar, _reporting(members, progress), target)
            progress.finish()
    except (tarfile.ReadError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise RestoreError(f"{archive} is not a readable tar.gz archive: {error}") from error
    except tarfile.TarError as error:
        raise RestoreError(f"could not restore {archive}: {error}") from error
    return len(members)


def unsafe_reason(member: tarfile.TarInfo) -> str | None:
    """Why ``member`` could write outside the target directory, or None if it cannot."""
    if posixpath.isabs(member.name) or member.name.startswith("\\"):
        return "has an absolute path"
    if ".." in member.name.replace("\\", "/").split("/"):
        return "has a '..' path component"
    if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
        return "is a device, FIFO or other special file"
    if member.issym() or member.islnk():
        return _unsafe_link_reason(member)
    return None


def _unsafe_link_reason(member: tarfile.TarInfo) -> str | None:
    if posixpath.isabs(member.linkname):
        return "links to an absolute path"
    # A symlink resolves from its own folder, a hard link from the archive root.
    base = posixpath.dirname(member.name) if member.issym() else ""
    if climbs_out(base, member.linkname):
        return "links outside the target directory"
    return None


def _refuse_unsafe_members(members: Iterable[tarfile.TarInfo], archive: Path) -> None:
    for member in members:
        reason = unsafe_reason(member)
        if reason is not None:
            raise RestoreError(f"refusing to restore {archive}: member {member.name!r} {reason}")


def _require_empty_directory(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise RestoreError(f"restore target {target} exists and is not a directory")
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise RestoreError(
            f"restore target {target} is not empty: restore into an empty directory, "
            "then move files into place, so nothing is overwritten by accident"
        )


def _reporting(
    members: Iterable[tarfile.TarInfo], progress: ProgressReporter
) -> Iterator[tarfile.TarInfo]:
    for member in members:
        yield member
        progress.advance(member.size)


def _extract(tar: tarfile.TarFile, members: Iterable[tarfile.TarInfo], target: Path) -> None:
    if SUPPORTS_DATA_FILTER:
        tar.extractall(target, members=members, filter="data")
    else:
        # Safe without the filter: every member passed unsafe_reason() before this call.
        plain_members = (_as_plain_data(member) for member in members)
        tar.extractall(target, members=plain_members)  # noqa: S202 - members checked above


def _as_plain_data(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """The data filter's rules for Pythons without it: files owned by whoever restores,
    no setuid/setgid/sticky bits, no group/other write, owner can read and write files."""
    plain = copy.copy(member)
    plain.uid, plain.gid, plain.uname, plain.gname = os.getuid(), os.getgid(), "", ""
    plain.mode = member.mode & 0o755
    if member.isfile():
        plain.mode |= 0o600
        if not plain.mode & 0o100:
            plain.mode &= ~0o011
    elif member.isdir():
        plain.mode |= 0o700
    return plain
