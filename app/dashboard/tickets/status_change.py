"""Changing a ticket's status: check, write, organize, audit and reindex, one at a time.

The store (dashboard.tickets.store) keeps the index; this module is the only writer of
ticket files. A change runs inside `TicketLocks.held`: between reading the file for the
If-Match check and renaming the new bytes over it, no other change of that ticket runs,
in this process or in any other that writes the same tree (the replicas behind the proxy).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dashboard.runtime.atomic import atomic_replace
from dashboard.tickets.audit import AuditLog
from dashboard.tickets.errors import (
    InvalidStatus,
    ReadOnlyTree,
    StaleTicket,
    TicketConflict,
    TicketNotFound,
)
from dashboard.tickets.model import STATUSES, Ticket, is_ticket_id
from dashboard.tickets.organize import move_ticket, organized_destination
from dashboard.tickets.parse import etag_of, parse_ticket
from dashboard.tickets.scan import is_within, relative_name
from dashboard.tickets.store import TicketStore
from dashboard.tickets.tree_locks import exclusive, ticket_lock_path
from dashboard.tickets.write import RewriteError, rewrite_status

log = logging.getLogger(__name__)

ETagCheck = Callable[[str], bool]
READ_ONLY_MESSAGE = (
    "this dashboard serves its ticket tree read-only (DASHBOARD_TICKETS_READ_ONLY, stack "
    "setting ticketsReadOnly); change the status in the file, or deploy with it false"
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked for a change, for the audit log."""

    name: str
    remote_addr: str | None


def checked_status(value: object) -> str:
    """`value` if it is a status from TICKET-FORMAT.md; InvalidStatus otherwise."""
    if value not in STATUSES or not isinstance(value, str):
        raise InvalidStatus(f"status: expected one of {', '.join(STATUSES)}, got {value!r}")
    return value


class TicketLocks:
    """The one place where a status change becomes a critical section.

    A lock per ticket id keeps this process's threads apart; then an flock on the id's lock
    file in the tree (dashboard.tickets.tree_locks) keeps the other processes writing the
    tree apart, replicas included. The thread lock comes first so that a process's threads
    queue here, not in the kernel, and only one of them at a time waits for the others.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def held(self, ticket_id: str) -> Iterator[None]:
        if not is_ticket_id(ticket_id):
            raise TicketNotFound(f"no ticket with id {ticket_id!r} (expected e.g. TICKET-42)")
        with self._guard:
            lock = self._locks.setdefault(ticket_id, threading.Lock())
        with lock, exclusive(ticket_lock_path(self.root, ticket_id)):
            yield


def _holds(data: bytes, ticket: Ticket) -> bool:
    """Whether `data` is still a valid ticket with `ticket`'s id."""
    current = parse_ticket(data, ticket.path)
    return isinstance(current, Ticket) and current.id == ticket.id


class StatusChanger:
    def __init__(
        self,
        store: TicketStore,
        audit: AuditLog,
        *,
        organize_completed: bool = False,
        read_only: bool = False,
    ) -> None:
        self.store = store
        self.audit = audit
        self.organize_completed = organize_completed
        self.read_only = read_only
        self.locks = TicketLocks(store.root)

    @property
    def root(self) -> Path:
        return self.store.root

    def set_status(
        self, ticket_id: str, status: str, actor: Actor, if_match: ETagCheck | None = None
    ) -> Ticket:
        """Rewrite the ticket's status line; one change at a time per ticket, in any process."""
        checked_status(status)  # the API checked it already; any other caller is held to it too
        if self.read_only:
            raise ReadOnlyTree(READ_ONLY_MESSAGE)
        with self.locks.held(ticket_id):
            ticket, data = self._read_from_disk(ticket_id)
            path = self.root / ticket.path
            if if_match is not None and not if_match(etag_of(data)):
                if etag_of(data) != ticket.etag:
                    # The index lags the file (another replica wrote it): catch up, so that
                    # the client's reload gets the ETag that a retry needs.
                    self.store.refresh([path])
                raise StaleTicket(
                    f"{ticket_id} changed since you read it; reload and retry", etag=etag_of(data)
                )
            current = self._require_unchanged(ticket_id, data, ticket.path)
            if current.status == status:
                return current
            final_path = self._write_status(path, data, status)
            self._record(current, status, final_path, actor)
            return self._reindex_after_write(ticket.path, final_path, ticket_id)

    def _read_from_disk(self, ticket_id: str) -> tuple[Ticket, bytes]:
        """The indexed ticket and the bytes its file holds now, which the If-Match check and
        the write go by: another process may have written the file since it was indexed.

        If the file is gone or holds something else, which is how another replica's move
        looks before this replica's watcher has seen it, that ticket is rescanned and looked
        up again.
        """
        ticket = self.store.find(ticket_id)
        data = self._read_current(self.root / ticket.path)
        if data is None or not _holds(data, ticket):
            self.store.refresh_ticket(ticket_id)
            ticket = self.store.find(ticket_id)
            data = self._read_current(self.root / ticket.path)
            if data is None:
                raise TicketNotFound(f"{ticket.path} was removed; it is no longer a ticket")
        return ticket, data

    def _read_current(self, path: Path) -> bytes | None:
        """The file's bytes; None if it is gone."""
        real = os.path.realpath(path)
        if not is_within(os.path.realpath(self.root), real):
            raise TicketConflict(f"{path.name} links outside the tickets root; not written")
        try:
            with open(real, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def _require_unchanged(self, ticket_id: str, data: bytes, name: str) -> Ticket:
        """The file may have been edited since it was indexed; it must still be this ticket."""
        current = parse_ticket(data, name)
        if not isinstance(current, Ticket) or current.id != ticket_id:
            raise TicketConflict(f"{name} no longer holds a valid {ticket_id}; fix the file first")
        return current

    def _write_status(self, path: Path, data: bytes, status: str) -> Path:
        try:
            new_data = rewrite_status(data, status, self.store.clock(), path.name)
        except RewriteError as error:
            raise TicketConflict(f"status not changed: {error}") from error
        atomic_replace(Path(os.path.realpath(path)), new_data)
        destination = organized_destination(self.root, path, status)
        if not self.organize_completed or destination is None:
            return path
        try:
            return move_ticket(path, destination)
        except OSError as error:
            # The status is written; a file left in the "wrong" folder is only untidy.
            log.warning("ticket not moved", extra={"path": str(path), "error": str(error)})
            return path

    def _record(self, before: Ticket, status: str, final_path: Path, actor: Actor) -> None:
        record = {
            "ts": self.store.clock().isoformat(),
            "id": before.id,
            "from": before.status,
            "to": status,
            "path": relative_name(self.root, final_path),
            "previous_path": before.path,
            "actor": actor.name,
            "remote_addr": actor.remote_addr,
        }
        try:
            self.audit.append(record)
        except OSError:
            log.exception("audit log not written", extra={"audit_log": str(self.audit.path)})

    def _reindex_after_write(self, old_name: str, final_path: Path, ticket_id: str) -> Ticket:
        changes = self.store.refresh([self.root / old_name, final_path])
        ticket = self.store.index.lookup(ticket_id).ticket
        if ticket is None:
            raise TicketConflict(f"{ticket_id} was written but no longer indexes; see /api/status")
        if not changes:
            log.debug("status write already indexed by the watcher", extra={"id": ticket_id})
        return ticket
