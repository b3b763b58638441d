"""The filters and page of a ticket list request (GET /api/tickets); see tickets.listing."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.tickets.model import Ticket

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class TicketQuery:
    status: str | None = None
    priority: str | None = None
    assignee: str | None = None
    tag: str | None = None
    text: str | None = None  # case-insensitive substring of title or body
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def matches(self, ticket: Ticket) -> bool:
        return (
            (self.status is None or ticket.status == self.status)
            and (self.priority is None or ticket.priority == self.priority)
            and (self.assignee is None or ticket.assignee == self.assignee)
            and (self.tag is None or self.tag in ticket.tags)
            and (self.text is None or self.text.casefold() in ticket.search_text)
        )
