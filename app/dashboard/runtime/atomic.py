"""Replace a file's content so that readers see the old bytes or the new, never a mix.

Used by the dashboard (ticket files, the registry) and by the sidecar jobs (the backup
status file, the monitor heartbeat), which other processes read while they are written.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_replace(
    path: Path, data: bytes, *, default_mode: int = 0o644, mode: int | None = None
) -> None:
    """Write a temp file in the same folder, fsync it, rename it over `path`.

    The temp name starts with a dot so that the watcher and the scanner ignore it. By
    default the original mode (and owner, where permitted) is kept and a new file gets
    `default_mode`; a given `mode` is set instead, whatever the file had before.
    """
    previous = _stat_or_none(path) if mode is None else None
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_ownership(temp_name, previous, default_mode if mode is None else mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    fsync_folder(path.parent)


def write_json_atomically(path: Path, document: dict[str, Any], mode: int = 0o644) -> None:
    """Replace `path` with `document` (indented JSON) through `atomic_replace`.

    `mode` defaults to world-readable because the readers (the dashboard, a container
    healthcheck) may run as another user.
    """
    data = (json.dumps(document, indent=2) + "\n").encode("utf-8")
    atomic_replace(path, data, mode=mode)


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _copy_ownership(temp_name: str, previous: os.stat_result | None, default_mode: int) -> None:
    if previous is None:
        os.chmod(temp_name, default_mode)
        return
    os.chmod(temp_name, previous.st_mode & 0o7777)
    # Only root (or the owner keeping its own ids) may chown; elsewhere the writer owns it.
    with contextlib.suppress(PermissionError):
        os.chown(temp_name, previous.st_uid, previous.st_gid)


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every file system allows opening a folder."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
