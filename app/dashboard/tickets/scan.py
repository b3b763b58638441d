"""Find ticket files under planning/tickets/ and read them safely."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from dashboard.tickets.model import TICKETS_SUBDIR, IndexEntry, InvalidTicket
from dashboard.tickets.parse import parse_ticket

MAX_TICKET_BYTES = 1024 * 1024
TICKET_SUFFIX = ".md"


def tickets_dir(root: Path) -> Path:
    return root.joinpath(*TICKETS_SUBDIR)


def is_ignored_name(name: str) -> bool:
    """Hidden names (this covers `.#lock` and `.x.swp`) and editor temp/backup files."""
    return name.startswith(".") or name.endswith(("~", ".swp"))


def is_within(base: str, path: str) -> bool:
    """Both must be real (symlink-free) absolute paths."""
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def relative_name(root: Path, path: Path) -> str:
    """The index key: a POSIX path relative to the tickets root."""
    return Path(os.path.relpath(path, root)).as_posix()


def is_in_tickets_dir(root: Path, path: Path) -> bool:
    """planning/tickets/ itself or a path below it with no hidden or temp component."""
    try:
        parts = path.relative_to(tickets_dir(root)).parts
    except ValueError:
        return False
    return not any(is_ignored_name(part) for part in parts)


def is_ticket_candidate(root: Path, path: Path) -> bool:
    """A `.md` file name below planning/tickets/ with no ignored component."""
    return path.name.endswith(TICKET_SUFFIX) and is_in_tickets_dir(root, path)


def scan_tree(root: Path, start: Path | None = None) -> dict[str, IndexEntry]:
    """Every ticket file below `start` (default planning/tickets/), keyed by relative path."""
    start = start or tickets_dir(root)
    entries: dict[str, IndexEntry] = {}
    root_real = os.path.realpath(root)
    for name, path, real in _walk(root_real, start, relative_name(root, start), set()):
        entry = _load(name, path, real, root_real)
        if entry is not None:
            entries[entry.path] = entry
    return entries


# (index key, path as walked, real path); the real path is None for a link not yet resolved.
WalkedFile = tuple[str, str, str | None]


def _walk(root_real: str, folder: Path | str, name: str, seen: set[str]) -> Iterator[WalkedFile]:
    """Candidate files depth-first in name order, following links that stay inside.

    Cheap per file on purpose (the first scan reads every file): a plain file's real path is
    its folder's real path plus its name, so only links are resolved (realpath costs an
    lstat per path component), and the file type comes from the directory listing.
    """
    real = os.path.realpath(folder)
    if real in seen or not is_within(root_real, real):
        return
    seen.add(real)
    try:
        with os.scandir(folder) as listing:
            children = sorted(listing, key=lambda child: child.name)
    except OSError:
        return
    for child in children:
        if is_ignored_name(child.name):
            continue
        child_name = f"{name}/{child.name}"
        if child.is_symlink():
            yield from _walk_link(root_real, child, child_name, seen)
        elif _is_dir(child):
            yield from _walk(root_real, child.path, child_name, seen)
        elif child.name.endswith(TICKET_SUFFIX) and child.is_file(follow_symlinks=False):
            yield child_name, child.path, os.path.join(real, child.name)


def _walk_link(
    root_real: str, link: os.DirEntry[str], name: str, seen: set[str]
) -> Iterator[WalkedFile]:
    is_dir = _is_dir(link)
    if not is_within(root_real, os.path.realpath(link.path)):
        # Yielded so that _load lists it as invalid, without reading it.
        if is_dir or link.name.endswith(TICKET_SUFFIX):
            yield name, link.path, None
    elif is_dir:
        yield from _walk(root_real, link.path, name, seen)
    elif link.name.endswith(TICKET_SUFFIX):
        yield name, link.path, None


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def load_ticket_file(root: Path, path: Path, root_real: str | None = None) -> IndexEntry | None:
    """Parse one file; None if it is gone or not a file. Never follows a link out of root."""
    return _load(relative_name(root, path), str(path), None, root_real or os.path.realpath(root))


def _load(name: str, path: str, real: str | None, root_real: str) -> IndexEntry | None:
    """`real` is given for a plain file found by the walk; anything else is resolved here."""
    if real is None:
        real = os.path.realpath(path)
        if not is_within(root_real, real):
            return InvalidTicket(name, f"symbolic link points outside the tickets root ({real})")
    try:
        data = _read_regular_file(real)
    except FileNotFoundError:
        return None
    except OSError as error:
        return InvalidTicket(name, f"cannot read: {error.strerror or error}")
    if data is None:
        return None
    if len(data) > MAX_TICKET_BYTES:
        return InvalidTicket(name, "larger than 1 MiB; skipped (split it or move attachments out)")
    return parse_ticket(data, name)


def _read_regular_file(path: str) -> bytes | None:
    """Up to MAX_TICKET_BYTES + 1 bytes; None for folders, FIFOs and devices (never opened)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        return None
    with open(path, "rb") as handle:
        return handle.read(MAX_TICKET_BYTES + 1)
