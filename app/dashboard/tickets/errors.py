"""Why the ticket service refused a request, in its own terms (the web layer maps them)."""

from __future__ import annotations

from typing import Any


class TicketError(Exception):
    """A ticket operation was refused; the message says what was wrong and what to do.

    `details` are facts a client can act on (the current ETag, the clashing paths).
    """

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


class TicketNotFound(TicketError):
    """No indexed ticket has this id, or its file is gone."""


class StaleTicket(TicketError):
    """The file changed since the caller read it (its ETag no longer matches)."""


class InvalidStatus(TicketError):
    """The requested status is not one of the statuses in TICKET-FORMAT.md."""


class ReadOnlyTree(TicketError):
    """This deployment serves the tree read-only, so no status can be written."""


class TicketConflict(TicketError):
    """The tree's state prevents the change: a duplicated id, an invalid or unsafe file."""
