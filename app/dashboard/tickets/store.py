"""The ticket service: keeps the index in step with the tree and makes status changes."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard.atomic import atomic_replace
from dashboard.changefeed import ChangeFeed
from dashboard.tickets.audit import AuditLog
from dashboard.tickets.index import Change, TicketIndex
from dashboard.tickets.model import REGISTRY_RELPATH, IndexEntry, Ticket
from dashboard.tickets.organize import move_ticket, organized_destination
from dashboard.tickets.parse import etag_of, parse_ticket
from dashboard.tickets.registry import render_registry, write_if_changed
from dashboard.tickets.scan import (
    is_in_tickets_dir,
    is_ticket_candidate,
    is_within,
    load_ticket_file,
    relative_name,
    scan_tree,
    tickets_dir,
)
from dashboard.tickets.write import rewrite_status

log = logging.getLogger(__name__)

ETagCheck = Callable[[str], bool]


class TicketError(Exception):
    """A status change was refused; `status` is the HTTP status that describes why."""

    status = 409

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


class TicketNotFound(TicketError):
    status = 404


class StaleTicket(TicketError):
    status = 412


@dataclass(frozen=True, slots=True)
class SyncReport:
    files: int
    tickets: int
    invalid: int
    duration_seconds: float
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked for a change, for the audit log."""

    name: str
    remote_addr: str | None


class TicketStore:
    def __init__(
        self,
        root: Path,
        audit: AuditLog,
        feed: ChangeFeed,
        *,
        organize_completed: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.root = root
        self.index = TicketIndex()
        self.feed = feed
        self.audit = audit
        self.organize_completed = organize_completed
        self.clock = clock
        self.last_sync: SyncReport | None = None
        self.registry_error: str | None = None
        self._indexed = threading.Event()  # set by the first full scan
        # Index writers (sync, watcher refresh, status change) take turns; readers never wait.
        self._write_lock = threading.Lock()
        self._id_locks: dict[str, threading.Lock] = {}
        self._id_locks_guard = threading.Lock()

    @property
    def registry_path(self) -> Path:
        return self.root / REGISTRY_RELPATH

    def sync(self) -> SyncReport:
        """Rescan the whole tree and replace the index."""
        started = time.perf_counter()
        with self._write_lock:
            entries = scan_tree(self.root)
            self.index.replace_all(entries)
            report = self._sync_report(len(entries), time.perf_counter() - started)
            self.last_sync = report
            self._write_registry()
            self._indexed.set()
        self.feed.publish({"type": "sync"})
        log.info(
            "index synced",
            extra={
                "tickets": report.tickets,
                "invalid": report.invalid,
                "duration_seconds": report.duration_seconds,
            },
        )
        return report

    @property
    def is_indexed(self) -> bool:
        """True once a full scan has filled the index (readiness)."""
        return self._indexed.is_set()

    def wait_indexed(self, timeout: float) -> bool:
        return self._indexed.wait(timeout)

    def _sync_report(self, files: int, duration: float) -> SyncReport:
        tickets = len(self.index.tickets())
        return SyncReport(files, tickets, files - tickets, round(duration, 4), self.clock())

    def refresh(self, paths: Iterable[str | Path]) -> list[Change]:
        """Re-read the given files or folders (created, modified, deleted or moved)."""
        with self._write_lock:
            updates: dict[str, IndexEntry | None] = {}
            for path in paths:
                updates.update(self._read_path(Path(path)))
            changes = self.index.apply(updates)
        # Tell the browsers first; the registry file is for humans and can trail by a moment.
        self._publish(changes)
        # Before the first scan the index holds only these files; the scan writes the registry.
        if changes and self.is_indexed:
            with self._write_lock:
                self._write_registry()
        return changes

    def _read_path(self, path: Path) -> dict[str, IndexEntry | None]:
        """New index entries for everything at or below `path` (None: drop the entry)."""
        if not is_in_tickets_dir(self.root, path):
            return {}
        name = relative_name(self.root, path)
        if path.is_file():
            return {name: load_ticket_file(self.root, path)} if path.suffix == ".md" else {}
        # A folder (created, moved or deleted) or a file that is gone.
        updates: dict[str, IndexEntry | None] = dict.fromkeys(self.index.paths_under(name + "/"))
        if is_ticket_candidate(self.root, path):
            updates[name] = None
        if path.is_dir():
            updates.update(scan_tree(self.root, path))
        return updates

    def set_status(
        self, ticket_id: str, status: str, actor: Actor, if_match: ETagCheck | None = None
    ) -> Ticket:
        """Rewrite the ticket's status line; one change at a time per ticket."""
        with self._lock_for(ticket_id):
            ticket = self.find(ticket_id)
            path = self.root / ticket.path
            data = self._read_current(path)
            if if_match is not None and not if_match(etag_of(data)):
                raise StaleTicket(
                    f"{ticket_id} changed since you read it; reload and retry", etag=etag_of(data)
                )
            current = self._require_unchanged(ticket_id, data, ticket.path)
            if current.status == status:
                return current
            final_path = self._write_status(path, data, status)
            self._record(current, status, final_path, actor)
            return self._reindex_after_write(ticket.path, final_path, ticket_id)

    def _lock_for(self, ticket_id: str) -> threading.Lock:
        with self._id_locks_guard:
            return self._id_locks.setdefault(ticket_id, threading.Lock())

    def find(self, ticket_id: str) -> Ticket:
        """The indexed ticket; TicketNotFound, or TicketError if duplicated or invalid."""
        found = self.index.lookup(ticket_id)
        if found.duplicate_paths:
            raise TicketError(
                f"{ticket_id} is the id of several files; give each a unique id",
                paths=list(found.duplicate_paths),
            )
        if found.invalid is not None:
            raise TicketError(
                f"{ticket_id} ({found.invalid.path}) is invalid: {found.invalid.reason}"
            )
        if found.ticket is None:
            raise TicketNotFound(f"no ticket with id {ticket_id}")
        return found.ticket

    def _read_current(self, path: Path) -> bytes:
        real = os.path.realpath(path)
        if not is_within(os.path.realpath(self.root), real):
            raise TicketError(f"{path.name} links outside the tickets root; not written")
        try:
            with open(real, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            raise TicketNotFound(f"{path.name} was removed; it is no longer a ticket") from None

    def _require_unchanged(self, ticket_id: str, data: bytes, name: str) -> Ticket:
        """The file may have been edited since it was indexed; it must still be this ticket."""
        current = parse_ticket(data, name)
        if not isinstance(current, Ticket) or current.id != ticket_id:
            raise TicketError(f"{name} no longer holds a valid {ticket_id}; fix the file first")
        return current

    def _write_status(self, path: Path, data: bytes, status: str) -> Path:
        new_data = rewrite_status(data, status, self.clock(), path.name)
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
            "ts": self.clock().isoformat(),
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
        changes = self.refresh([self.root / old_name, final_path])
        ticket = self.index.lookup(ticket_id).ticket
        if ticket is None:
            raise TicketError(f"{ticket_id} was written but no longer indexes; see /api/status")
        if not changes:
            log.debug("status write already indexed by the watcher", extra={"id": ticket_id})
        return ticket

    def _publish(self, changes: list[Change]) -> None:
        for change in changes:
            self.feed.publish({"type": change.kind, "id": change.id, "path": change.path})

    def _write_registry(self) -> None:
        """Never fatal: a read-only tree still gets a dashboard, just no registry file."""
        content = render_registry(self.index.tickets(), self.index.invalid())
        try:
            write_if_changed(self.registry_path, content)
            self.registry_error = None
        except OSError as error:
            self.registry_error = f"cannot write {REGISTRY_RELPATH}: {error.strerror or error}"
            log.warning("registry not written", extra={"error": self.registry_error})

    def check_tickets_dir(self) -> str | None:
        """None when planning/tickets/ is a readable folder, else what is wrong."""
        folder = tickets_dir(self.root)
        if not folder.is_dir():
            return f"{folder} is not a folder; point DASHBOARD_TICKETS_DIR at the root of planning/"
        if not os.access(folder, os.R_OK | os.X_OK):
            return f"{folder} is not readable by this process"
        return None
