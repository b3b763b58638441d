"""samples/tickets (the dev stack's tree): realistic valid tickets plus one invalid on purpose."""

from __future__ import annotations

from dashboard.tickets.index import TicketIndex
from dashboard.tickets.registry import render_registry
from dashboard.tickets.scan import scan_tree
from tests.app.ticket_helpers import REPO_ROOT

SAMPLES = REPO_ROOT / "samples" / "tickets"


def sample_index() -> TicketIndex:
    index = TicketIndex()
    index.replace_all(scan_tree(SAMPLES))
    return index


def test_samples_have_valid_tickets_in_several_statuses_and_folders():
    tickets = sample_index().tickets()

    assert len(tickets) >= 8
    assert len({t.status for t in tickets}) >= 4
    assert len({t.path.rsplit("/", 1)[0] for t in tickets}) >= 3


def test_samples_have_exactly_one_deliberately_invalid_ticket():
    invalid = sample_index().invalid()

    assert len(invalid) == 1
    assert "wontfix" in invalid[0].reason


def test_sample_registry_is_current():
    index = sample_index()

    expected = render_registry(index.tickets(), index.invalid())

    assert (SAMPLES / "planning" / "TICKET_REGISTRY.md").read_text() == expected
