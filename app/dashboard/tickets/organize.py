"""Where a ticket file belongs when closed tickets are kept in planning/tickets/completed/.

A closed ticket keeps its path below planning/tickets/ inside completed/ (backend/X-1.md
becomes completed/backend/X-1.md), and goes back to that path when reopened. An existing
file is never overwritten: the mover picks X-1-2.md, X-1-3.md, ... instead.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from dashboard.tickets.model import CLOSED_STATUSES, COMPLETED_DIRNAME
from dashboard.tickets.scan import tickets_dir


def organized_destination(root: Path, path: Path, status: str) -> Path | None:
    """The path the ticket at `path` should move to for `status`, or None to stay."""
    base = tickets_dir(root)
    completed = base / COMPLETED_DIRNAME
    try:
        inner = path.relative_to(completed)
        is_completed = True
    except ValueError:
        inner = path.relative_to(base)
        is_completed = False
    closing = status in CLOSED_STATUSES
    if closing == is_completed:
        return None
    return (completed / inner) if closing else (base / inner)


def possible_locations(root: Path, path: Path) -> list[Path]:
    """`path` and the files `move_ticket` may have moved it to: the same place in or out of
    completed/, under its own name or a `free_path` one (empty for a path outside
    planning/tickets/)."""
    try:
        # One of the two is None: a closed status moves it in, an open one out.
        counterpart = organized_destination(root, path, "done") or organized_destination(
            root, path, "open"
        )
    except ValueError:
        return []
    assert counterpart is not None
    renamed = [
        candidate
        for candidate in counterpart.parent.glob(f"{glob.escape(counterpart.stem)}-*.md")
        if candidate.stem[len(counterpart.stem) + 1 :].isdigit()
    ]
    return [path, counterpart, *sorted(renamed)]


def free_path(wanted: Path) -> Path:
    """`wanted`, or the first `<stem>-N<suffix>` beside it that does not exist yet."""
    candidate, number = wanted, 1
    while os.path.lexists(candidate):
        number += 1
        candidate = wanted.with_name(f"{wanted.stem}-{number}{wanted.suffix}")
    return candidate


def move_ticket(path: Path, destination: Path) -> Path:
    """Move without overwriting; return where the file ended up."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    target = free_path(destination)
    os.rename(path, target)
    return target
