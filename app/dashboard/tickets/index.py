"""The in-memory index: every scanned file by path, and the valid tickets by id."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.tickets.model import IndexEntry, InvalidTicket, Ticket, ticket_sort_key


@dataclass(frozen=True, slots=True)
class Change:
    """One path whose indexed content changed; what live-update streams send."""

    kind: str  # added | updated | removed | invalid
    path: str
    id: str | None


@dataclass(frozen=True, slots=True)
class Lookup:
    """Result of finding an id: the ticket, or every path that claims it."""

    ticket: Ticket | None
    duplicate_paths: tuple[str, ...] = ()
    invalid: InvalidTicket | None = None


class TicketIndex:
    """Thread-safe; readers get snapshots, so they never see a half-applied change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, IndexEntry] = {}
        self._paths_by_id: dict[str, set[str]] = {}
        # Where each id was indexed last, kept after it is dropped: the place to look again
        # when another process has moved the file and the watcher has only seen it go.
        self._last_path_by_id: dict[str, str] = {}
        self._sorted: list[Ticket] | None = None
        self._version = 0  # +1 on every change, so views built from a snapshot can tell

    @property
    def version(self) -> int:
        return self._version

    def replace_all(self, entries: dict[str, IndexEntry]) -> None:
        with self._lock:
            self._entries = dict(entries)
            self._paths_by_id = {}
            for path, entry in self._entries.items():
                self._claim(path, entry)
            self._changed()

    def apply(self, updates: dict[str, IndexEntry | None]) -> list[Change]:
        """Put (or, for None, drop) entries by path; return what actually changed."""
        changes: list[Change] = []
        with self._lock:
            for path, entry in updates.items():
                change = self._apply_one(path, entry)
                if change is not None:
                    changes.append(change)
            if changes:
                self._changed()
        return changes

    def _changed(self) -> None:
        self._sorted = None
        self._version += 1

    def paths_under(self, prefix: str) -> list[str]:
        with self._lock:
            return [path for path in self._entries if path.startswith(prefix)]

    def entry(self, path: str) -> IndexEntry | None:
        with self._lock:
            return self._entries.get(path)

    def last_path(self, ticket_id: str) -> str | None:
        """The path `ticket_id` was last indexed at, even if it is no longer indexed."""
        with self._lock:
            return self._last_path_by_id.get(ticket_id)

    def lookup(self, ticket_id: str) -> Lookup:
        with self._lock:
            paths = self._paths_by_id.get(ticket_id, set())
            if len(paths) > 1:
                return Lookup(None, tuple(sorted(paths)))
            entry = self._entries[next(iter(paths))] if paths else None
        if isinstance(entry, InvalidTicket):
            return Lookup(None, invalid=entry)
        return Lookup(entry)

    def tickets(self) -> list[Ticket]:
        """Valid, unduplicated tickets in id order (PROJ-9 before PROJ-10)."""
        return self.snapshot()[1]

    def snapshot(self) -> tuple[int, list[Ticket]]:
        """The version and tickets() of one moment; the list is never changed afterwards."""
        with self._lock:
            if self._sorted is None:
                self._sorted = sorted(self._valid(), key=lambda t: ticket_sort_key(t.id))
            return self._version, self._sorted

    def invalid(self) -> list[InvalidTicket]:
        """Unparseable files plus every file of a duplicated id, in path order."""
        with self._lock:
            found = [self._as_listed(entry) for entry in self._entries.values()]
        return sorted((e for e in found if isinstance(e, InvalidTicket)), key=lambda e: e.path)

    def size(self) -> int:
        with self._lock:
            return len(self._entries)

    def _valid(self) -> Iterable[Ticket]:
        for entry in self._entries.values():
            if isinstance(entry, Ticket) and len(self._paths_by_id[entry.id]) == 1:
                yield entry

    def _as_listed(self, entry: IndexEntry) -> IndexEntry:
        if entry.id is None or len(self._paths_by_id.get(entry.id, ())) < 2:
            return entry
        others = sorted(self._paths_by_id[entry.id] - {entry.path})
        reason = f"duplicate id {entry.id}: also in {', '.join(others)}; give each a unique id"
        return InvalidTicket(entry.path, reason, id=entry.id, etag=entry.etag)

    def _apply_one(self, path: str, entry: IndexEntry | None) -> Change | None:
        old = self._entries.get(path)
        if old == entry:
            return None
        if old is not None:
            self._release(path, old)
            del self._entries[path]
        if entry is None:
            return Change("removed", path, old.id if old else None)
        self._entries[path] = entry
        self._claim(path, entry)
        kind = "invalid" if isinstance(entry, InvalidTicket) else "updated" if old else "added"
        return Change(kind, path, entry.id)

    def _claim(self, path: str, entry: IndexEntry) -> None:
        if entry.id is not None:
            self._paths_by_id.setdefault(entry.id, set()).add(path)
            self._last_path_by_id[entry.id] = path

    def _release(self, path: str, entry: IndexEntry) -> None:
        if entry.id is None:
            return
        paths = self._paths_by_id.get(entry.id, set())
        paths.discard(path)
        if not paths:
            self._paths_by_id.pop(entry.id, None)
