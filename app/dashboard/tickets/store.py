"""The ticket index kept in step with the tree: full scans, refreshes and lookups.

Status changes (the only writes to ticket files) are in dashboard.tickets.status_change.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dashboard.changefeed import ChangeFeed
from dashboard.tickets.errors import TicketConflict, TicketNotFound
from dashboard.tickets.index import Change, Lookup, TicketIndex
from dashboard.tickets.model import REGISTRY_RELPATH, IndexEntry, Ticket
from dashboard.tickets.organize import possible_locations
from dashboard.tickets.registry import render_registry, write_if_changed
from dashboard.tickets.scan import (
    is_in_tickets_dir,
    is_ticket_candidate,
    load_ticket_file,
    relative_name,
    scan_tree,
    tickets_dir,
)
from dashboard.tickets.tree_locks import exclusive_or_skip, registry_lock_path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncReport:
    files: int
    tickets: int
    invalid: int
    duration_seconds: float
    finished_at: datetime


class TicketStore:
    def __init__(
        self,
        root: Path,
        feed: ChangeFeed,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.root = root
        self.index = TicketIndex()
        self.feed = feed
        self.clock = clock  # also stamps status changes: one clock per service
        self.last_sync: SyncReport | None = None
        self.registry_error: str | None = None
        self._indexed = threading.Event()  # set by the first full scan
        # Index writers (sync, watcher refresh, status change) take turns; readers never wait.
        self._write_lock = threading.Lock()

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

    def find(self, ticket_id: str) -> Ticket:
        """The indexed ticket; TicketNotFound, or TicketConflict if duplicated or invalid.

        An id the index does not hold is looked for again on disk first (`refresh_ticket`):
        another replica may have moved the file, and this one's watcher not caught up yet.
        """
        found = self.index.lookup(ticket_id)
        if _is_miss(found) and self.refresh_ticket(ticket_id):
            found = self.index.lookup(ticket_id)
        if found.duplicate_paths:
            raise TicketConflict(
                f"{ticket_id} is the id of several files; give each a unique id",
                paths=list(found.duplicate_paths),
            )
        if found.invalid is not None:
            raise TicketConflict(
                f"{ticket_id} ({found.invalid.path}) is invalid: {found.invalid.reason}"
            )
        if found.ticket is None:
            raise TicketNotFound(f"no ticket with id {ticket_id}")
        return found.ticket

    def refresh_ticket(self, ticket_id: str) -> list[Change]:
        """Re-read the files where `ticket_id` may be now: where it was last indexed, and
        where organizing completed tickets would have moved it. A targeted rescan for when
        another process wrote or moved the file before this one's watcher saw it."""
        last = self.index.last_path(ticket_id)
        if last is None:
            return []
        return self.refresh(possible_locations(self.root, self.root / last))

    def _publish(self, changes: list[Change]) -> None:
        for change in changes:
            self.feed.publish({"type": change.kind, "id": change.id, "path": change.path})

    def _write_registry(self) -> None:
        """Never fatal: a read-only tree still gets a dashboard, just no registry file."""
        content = render_registry(self.index.tickets(), self.index.invalid())
        try:
            # One writer at a time across processes; one that is busy writes what the
            # others would: every replica renders the same tree into the same bytes.
            with exclusive_or_skip(registry_lock_path(self.root)) as mine:
                if mine:
                    write_if_changed(self.registry_path, content)
                else:
                    log.debug("registry being written by another process; skipped")
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


def _is_miss(found: Lookup) -> bool:
    return found.ticket is None and not found.duplicate_paths and found.invalid is None
