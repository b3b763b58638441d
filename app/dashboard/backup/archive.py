"""Writing a tar.gz archive and proving afterwards that it holds what was added."""

from __future__ import annotations

import hashlib
import os
import stat
import tarfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dashboard.backup.progress import ProgressReporter
from dashboard.backup.source_tree import EntryKind, TreeEntry

# Level 6 is gzip's own default: close to 9 in size for text, several times faster.
COMPRESS_LEVEL = 6
_HASH_CHUNK_BYTES = 1024 * 1024


class BackupCancelled(Exception):
    """The job was asked to stop while an archive was being written."""


class ArchiveVerificationError(Exception):
    """The archive on disk does not match what was written into it."""


@dataclass(frozen=True)
class ManifestEntry:
    """What one archive member must look like; equality is the verification rule."""

    kind: EntryKind
    size: int = 0
    sha256: str = ""
    link_target: str = ""


Manifest = dict[str, ManifestEntry]


class _HashingReader:
    """Hashes exactly the bytes tarfile copies, so the manifest describes the stored
    content even if the file changes on disk while it is being archived."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self.digest.update(chunk)
        return chunk


def write_archive(
    destination: BinaryIO, entries: Iterable[TreeEntry], stop: threading.Event
) -> Manifest:
    """Write ``entries`` as a gzip-compressed tar to ``destination``; return the manifest."""
    manifest: Manifest = {}
    progress = ProgressReporter("archiving")
    with tarfile.open(fileobj=destination, mode="w:gz", compresslevel=COMPRESS_LEVEL) as tar:
        for entry in entries:
            if stop.is_set():
                raise BackupCancelled("stopped while writing the archive")
            manifest[entry.arcname] = _add_entry(tar, entry)
            progress.advance(manifest[entry.arcname].size)
    progress.finish()
    return manifest


def _add_entry(tar: tarfile.TarFile, entry: TreeEntry) -> ManifestEntry:
    if entry.kind == "file":
        return _add_file(tar, entry)
    info = _member_info(entry.arcname, os.lstat(entry.path))
    if entry.kind == "dir":
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        return ManifestEntry("dir")
    info.type = tarfile.SYMTYPE
    info.linkname = os.readlink(entry.path)
    tar.addfile(info)
    return ManifestEntry("symlink", link_target=info.linkname)


def _add_file(tar: tarfile.TarFile, entry: TreeEntry) -> ManifestEntry:
    with open(entry.path, "rb") as stream:
        # Size from the open descriptor, not the path, so a rename-over between stat
        # and open (how the dashboard writes tickets) cannot mismatch size and content.
        info = _member_info(entry.arcname, os.fstat(stream.fileno()))
        reader = _HashingReader(stream)
        tar.addfile(info, reader)
    return ManifestEntry("file", size=info.size, sha256=reader.digest.hexdigest())


def _member_info(arcname: str, file_status: os.stat_result) -> tarfile.TarInfo:
    # Built by hand rather than with gettarinfo(): that one turns a second hard link
    # into a link member, and every file is simpler to restore as a plain copy.
    info = tarfile.TarInfo(arcname)
    info.size = file_status.st_size if stat.S_ISREG(file_status.st_mode) else 0
    info.mtime = int(file_status.st_mtime)
    info.mode = stat.S_IMODE(file_status.st_mode)
    return info


def verify_archive(path: Path, expected: Manifest) -> None:
    """Reopen the archive, read every member back and compare it with ``expected``."""
    found: Manifest = {}
    progress = ProgressReporter("verifying")
    with tarfile.open(path, mode="r:gz") as tar:
        for member in tar:
            if member.name in found:
                raise ArchiveVerificationError(f"member {member.name!r} appears twice")
            found[member.name] = _describe_member(tar, member)
            progress.advance(member.size)
    progress.finish()
    if found != expected:
        raise ArchiveVerificationError(_describe_mismatch(expected, found))


def _describe_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> ManifestEntry:
    if member.isdir():
        return ManifestEntry("dir")
    if member.issym():
        return ManifestEntry("symlink", link_target=member.linkname)
    stream = tar.extractfile(member) if member.isfile() else None
    if stream is None:  # we never write links to members or special files
        raise ArchiveVerificationError(
            f"member {member.name!r} has unexpected type {member.type!r}"
        )
    digest = hashlib.sha256()
    while chunk := stream.read(_HASH_CHUNK_BYTES):
        digest.update(chunk)
    return ManifestEntry("file", size=member.size, sha256=digest.hexdigest())


def _describe_mismatch(expected: Manifest, found: Manifest) -> str:
    missing = sorted(expected.keys() - found.keys())
    unexpected = sorted(found.keys() - expected.keys())
    differing = sorted(
        name for name in expected.keys() & found.keys() if expected[name] != found[name]
    )
    example = (missing or unexpected or differing)[0]
    return (
        f"archive does not match what was written: {len(expected)} members expected, "
        f"{len(found)} found ({len(missing)} missing, {len(unexpected)} unexpected, "
        f"{len(differing)} differing; first: {example!r})"
    )
