"""What a ticket is, and the values TICKET-FORMAT.md allows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

STATUSES = ("open", "in_progress", "blocked", "review", "done", "cancelled")
CLOSED_STATUSES = frozenset({"done", "cancelled"})
PRIORITIES = ("critical", "high", "medium", "low")
DEFAULT_PRIORITY = "medium"

# fullmatch, not `$`: `$` would also accept a trailing newline.
_TICKET_ID = re.compile(r"[A-Z][A-Z0-9]*-[0-9]+")

TICKETS_SUBDIR = ("planning", "tickets")
COMPLETED_DIRNAME = "completed"
REGISTRY_RELPATH = "planning/TICKET_REGISTRY.md"

When = date | datetime


def is_ticket_id(value: object) -> bool:
    return isinstance(value, str) and _TICKET_ID.fullmatch(value) is not None


def ticket_sort_key(ticket_id: str) -> tuple[str, int]:
    """PROJ-9 before PROJ-10: order by prefix, then by number."""
    prefix, _, number = ticket_id.rpartition("-")
    return prefix, int(number) if number.isdigit() else 0


def as_utc_datetime(value: When) -> datetime:
    """Dates count as midnight UTC and naive date-times as UTC, so all compare."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Ticket:
    id: str
    title: str
    status: str
    priority: str
    assignee: str | None
    tags: tuple[str, ...]
    created: When | None
    updated: When | None
    due: When | None
    path: str  # POSIX path relative to the tickets root
    body: str
    etag: str
    # Case-folded title and body, kept so that ?q= does not re-fold every body per request.
    search_text: str = field(default="", repr=False, compare=False)

    def as_dict(self, *, with_body: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "priority": self.priority,
            "assignee": self.assignee,
            "tags": list(self.tags),
            "created": _iso(self.created),
            "updated": _iso(self.updated),
            "due": _iso(self.due),
            "path": self.path,
            "etag": self.etag,
        }
        if with_body:
            data["body"] = self.body
        return data


@dataclass(frozen=True, slots=True)
class InvalidTicket:
    path: str
    reason: str
    id: str | None = None
    etag: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason, "id": self.id}


IndexEntry = Ticket | InvalidTicket


def _iso(value: When | None) -> str | None:
    return value.isoformat() if value is not None else None
