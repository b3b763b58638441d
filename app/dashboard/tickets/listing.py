"""Pages of the ticket list (GET /api/tickets), served from views kept per index version.

Filtering all tickets and serializing the page on every request cost 2-6 ms of CPU at
10,000 tickets, so about 120 pages per second under the stacks' 0.5 CPU limit. A view is
built once per version of the index (each change makes a new version): the tickets in id
order, the same order split by the value of each exact-match filter, and a cache of
rendered pages. A page is then a list slice, or a dict lookup when it was asked before.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from dashboard.tickets.index import TicketIndex
from dashboard.tickets.model import Ticket
from dashboard.tickets.query import TicketQuery

# Rendered pages kept per version; emptied when full (a crawler at most can fill it). In
# bytes, since a page of 500 tickets is about 150 KB and the container has 512 MiB.
MAX_CACHED_BYTES = 8 * 1024 * 1024
EXACT_FILTERS = ("status", "priority", "assignee")


@dataclass(frozen=True, slots=True)
class RenderedPage:
    body: bytes  # JSON: {"total", "limit", "offset", "items"}, as jsonify would write it
    etag: str  # of the body, so a client's If-None-Match survives a restart


@dataclass
class _View:
    version: int
    tickets: Sequence[Ticket]  # id order
    by_value: dict[str, dict[str | None, list[Ticket]]]  # filter -> value -> tickets
    by_tag: dict[str, list[Ticket]]
    pages: dict[TicketQuery, RenderedPage] = field(default_factory=dict)
    cached_bytes: int = 0  # approximate (requests race to add); it only bounds memory

    def matching(self, query: TicketQuery) -> Sequence[Ticket]:
        """Start from the shortest list one filter selects; check the rest per ticket."""
        chosen: list[Sequence[Ticket]] = [
            self.by_value[name].get(value, [])
            for name in EXACT_FILTERS
            if (value := getattr(query, name)) is not None
        ]
        if query.tag is not None:
            chosen.append(self.by_tag.get(query.tag, []))
        if not chosen:
            chosen.append(self.tickets)
        candidates = min(chosen, key=len)
        if len(chosen) == 1 and query.text is None:
            return candidates
        return [ticket for ticket in candidates if query.matches(ticket)]


class TicketListing:
    def __init__(self, index: TicketIndex) -> None:
        self._index = index
        self._view: _View | None = None
        self._rebuild = threading.Lock()  # one rebuild per version, however many requests
        # Each ticket's JSON, by path; a ticket object is immutable, so it is reused for
        # as long as the index holds that same object.
        self._items: dict[str, tuple[Ticket, str]] = {}

    def page(self, query: TicketQuery) -> RenderedPage:
        view = self._current_view()
        rendered = view.pages.get(query)
        if rendered is None:
            rendered = self._render(view, query)
            if view.cached_bytes + len(rendered.body) > MAX_CACHED_BYTES:
                view.pages.clear()
                view.cached_bytes = 0
            view.pages[query] = rendered
            view.cached_bytes += len(rendered.body)
        return rendered

    def _current_view(self) -> _View:
        view = self._view
        if view is not None and view.version == self._index.version:
            return view
        with self._rebuild:
            version, tickets = self._index.snapshot()
            if self._view is None or self._view.version != version:
                self._view = _build_view(version, tickets)
                self._forget_items_not_in(tickets)
            return self._view

    def _render(self, view: _View, query: TicketQuery) -> RenderedPage:
        matched = view.matching(query)
        items = ",".join(self._item(t) for t in matched[query.offset : query.offset + query.limit])
        head = {"total": len(matched), "limit": query.limit, "offset": query.offset}
        body = (json.dumps(head, separators=(",", ":"))[:-1] + f',"items":[{items}]}}\n').encode()
        return RenderedPage(body, hashlib.sha256(body).hexdigest()[:32])

    def _item(self, ticket: Ticket) -> str:
        cached = self._items.get(ticket.path)
        if cached is not None and cached[0] is ticket:
            return cached[1]
        text = json.dumps(ticket.as_dict(), separators=(",", ":"))
        self._items[ticket.path] = (ticket, text)
        return text

    def _forget_items_not_in(self, tickets: Sequence[Ticket]) -> None:
        current = {ticket.path for ticket in tickets}
        for path in list(self._items):  # list(): one atomic copy while others may add
            if path not in current:
                self._items.pop(path, None)


def _build_view(version: int, tickets: Sequence[Ticket]) -> _View:
    by_value: dict[str, dict[str | None, list[Ticket]]] = {name: {} for name in EXACT_FILTERS}
    by_tag: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        for name, groups in by_value.items():
            groups.setdefault(getattr(ticket, name), []).append(ticket)
        for tag in dict.fromkeys(ticket.tags):  # a tag listed twice selects the ticket once
            by_tag.setdefault(tag, []).append(ticket)
    return _View(version, tickets, by_value, by_tag)
