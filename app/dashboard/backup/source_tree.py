"""Walking a folder that goes into an archive, deciding what is safe to store."""

from __future__ import annotations

import logging
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

logger = logging.getLogger(__name__)

EntryKind = Literal["dir", "file", "symlink"]


@dataclass(frozen=True)
class TreeEntry:
    path: Path
    arcname: str
    kind: EntryKind


def walk_tree(root: Path, archive_root: str, skip: Path | None = None) -> Iterator[TreeEntry]:
    """Yield ``root`` and everything below it, parents before children, in name order.

    Symbolic links are stored as links, never followed, and only when they are
    relative and stay inside ``root``: restoring anything else would need a link out
    of the restore target, which the restore side refuses. Sockets, FIFOs and device
    files are skipped. Both cases are logged so a missing file can be explained. The
    folder ``skip`` and what it holds are left out.
    """
    yield TreeEntry(root, archive_root, "dir")
    yield from _walk_directory(root, root, archive_root, skip)


def _walk_directory(
    directory: Path, root: Path, archive_root: str, skip: Path | None
) -> Iterator[TreeEntry]:
    with os.scandir(directory) as scan:
        children = sorted(scan, key=lambda child: child.name)
    for child in children:
        path = Path(child.path)
        if path == skip:
            continue
        arcname = f"{archive_root}/{path.relative_to(root).as_posix()}"
        if child.is_symlink():
            if _link_stays_inside(path, root):
                yield TreeEntry(path, arcname, "symlink")
            else:
                logger.warning("skipped a link that leaves its folder", extra={"path": str(path)})
        elif child.is_dir(follow_symlinks=False):
            yield TreeEntry(path, arcname, "dir")
            yield from _walk_directory(path, root, archive_root, skip)
        elif child.is_file(follow_symlinks=False):
            yield TreeEntry(path, arcname, "file")
        else:
            logger.warning("skipped a special file", extra={"path": str(path)})


def _link_stays_inside(link: Path, root: Path) -> bool:
    target = os.readlink(link)
    return not posixpath.isabs(target) and not climbs_out(
        link.parent.relative_to(root).as_posix(), target
    )


def climbs_out(base: str, relative_target: str) -> bool:
    """Whether ``relative_target``, resolved from folder ``base`` (relative to a root),
    lands above that root. Shared with the restore side, which applies the same rule."""
    resolved = posixpath.normpath(posixpath.join(base, relative_target))
    return resolved == ".." or resolved.startswith("../")
