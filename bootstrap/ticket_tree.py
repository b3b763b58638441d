"""Lets the dashboard (uid/gid 1001) write in a stack's sample ticket tree.

Status changes rewrite ticket files atomically (a temp file beside the ticket, then a
rename), so the folders must be writable by the container's user. For a tree inside this
repository (the dev stack's samples/tickets) bootstrap gives group 1001 write access to
its folders; the owner stays who it was. A tree outside the repository belongs to an
operator: the program refuses it with the command to run, and bootstrap leaves it alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from .progress import say
from .stack_file import stack_setting

RUNTIME_GID = 1001  # infra/ticket_dashboard/workload.py; tested equal in test_decisions


def ensure_writable_sample_tree(root: Path, stack: str) -> None:
    stack_file = root / f"Pulumi.{stack}.yaml"
    if stack_setting(stack_file, "ticketsReadOnly") == "true":
        return
    configured = stack_setting(stack_file, "ticketsDir")
    if not configured:
        return
    tree = (root / configured).resolve()
    if not tree.is_dir() or not tree.is_relative_to(root):
        return
    folders = [tree, *(Path(p) / n for p, names, _ in os.walk(tree) for n in names)]
    closed = [f for f in folders if not _group_writable(f)]
    if closed:
        say(f"letting gid {RUNTIME_GID} write in {len(closed)} folders of {tree}")
        for folder in closed:
            os.chown(folder, -1, RUNTIME_GID)
            folder.chmod(folder.stat().st_mode | 0o070)


def _group_writable(folder: Path) -> bool:
    status = folder.stat()
    return status.st_gid == RUNTIME_GID and status.st_mode & 0o070 == 0o070
