"""What the stack settings ask of the Docker host: the ticket tree is there, and writable.

Run by the loader (loader.py) before anything is deployed, never by the sections, which
stay pure: a test or the README table can build them on any machine.
"""

import os
from pathlib import Path

from ticket_dashboard.settings.types import full_key
from ticket_dashboard.workload import RUNTIME_GID, RUNTIME_UID


def resolve_tickets_dir(value: str, project_root: Path) -> Path:
    """``ticketsDir`` as the container will mount it: absolute, relative to the project."""
    return (project_root / Path(value).expanduser()).resolve()


def missing_tree_problem(tree: Path, project_root: Path) -> str | None:
    if tree.is_dir():
        return None
    return (
        f"{full_key('ticketsDir')}: expected an existing directory of tickets on the Docker "
        f"host, {str(tree)!r} is not one (relative paths resolve against {project_root})"
    )


def unwritable_tree_problem(tree: Path) -> str | None:
    """Status changes write a temp file beside the ticket and rename it, so every folder
    of the tree must let the container's uid create files. Checked by mode bits (ACLs are
    not read), before anything is deployed, instead of a failed write on the first click."""
    planning = tree / "planning"
    folders = [tree] if not planning.is_dir() else [planning, *_folders_under(planning)]
    closed = [folder for folder in folders if not _uid_may_write(folder.stat())]
    if not closed:
        return None
    shown = ", ".join(str(f) for f in closed[:3]) + (" ..." if len(closed) > 3 else "")
    return (
        f"{full_key('ticketsDir')}: uid {RUNTIME_UID}, which the dashboard runs as, cannot "
        f"write in {shown}; run `chgrp -R {RUNTIME_GID} {tree} && chmod -R g+rwX {tree}` "
        f"(or chown -R {RUNTIME_UID}), or set {full_key('ticketsReadOnly')} true"
    )


def _folders_under(root: Path) -> list[Path]:
    return [Path(parent) / name for parent, names, _ in os.walk(root) for name in names]


def _uid_may_write(status: os.stat_result) -> bool:
    if status.st_uid == RUNTIME_UID:
        return status.st_mode & 0o300 == 0o300
    if status.st_gid == RUNTIME_GID:
        return status.st_mode & 0o030 == 0o030
    return status.st_mode & 0o003 == 0o003
