"""Locks shared by every process that writes one ticket tree (the replicas of a stack, and
any other stack that mounts the same host folder).

The lock files live in the tree, in planning/.locks/, not in the data volume: a lock
guards exactly the processes that see the same lock file, and the tree is what every
writer of a ticket file shares, while /data is one stack's volume (two stacks may mount
one host folder, each with its own /data). Whoever may rename a new ticket file into
place may also create a file in planning/, so no extra permission is needed; a read-only
tree refuses changes before any lock is taken. The folder is hidden and outside
planning/tickets/, so the scanner skips it and the watcher drops its events. Lock files
are empty and never removed: removing one while it is held would let the next process
lock a new file with the same name and get in beside the holder.

flock rather than fcntl/lockf: an flock belongs to the open file, so it is held until
that descriptor is closed (or the process dies), whereas a POSIX lock is dropped when the
process closes any descriptor of the file. Over NFS, Linux turns an flock into a
byte-range lock, which needs the file open for writing: hence O_RDWR.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dashboard.tickets.model import is_ticket_id

LOCKS_DIRNAME = ".locks"
REGISTRY_LOCK_NAME = "registry.lock"  # lower case: never the name of a ticket id's lock
LOCK_FILE_MODE = 0o660  # the dashboard's user and group: every replica runs as uid 1001


def locks_dir(root: Path) -> Path:
    return root / "planning" / LOCKS_DIRNAME


def ticket_lock_path(root: Path, ticket_id: str) -> Path:
    if not is_ticket_id(ticket_id):  # the id becomes a file name: nothing else may
        raise ValueError(f"{ticket_id!r} is not a ticket id")
    return locks_dir(root) / f"{ticket_id}.lock"


def registry_lock_path(root: Path) -> Path:
    return locks_dir(root) / REGISTRY_LOCK_NAME


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the lock on `path`, waiting while another open file holds it."""
    fd = _open_lock_file(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def exclusive_or_skip(path: Path) -> Iterator[bool]:
    """Yield True holding the lock on `path`, or False at once if another holds it."""
    fd = _open_lock_file(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = True
        except BlockingIOError:
            held = False
        yield held
    finally:
        os.close(fd)


def _open_lock_file(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
    try:
        return os.open(path, flags, LOCK_FILE_MODE)
    except FileNotFoundError:  # the first lock in this tree: planning/.locks/ is not there yet
        path.parent.mkdir(exist_ok=True)
        return os.open(path, flags, LOCK_FILE_MODE)
