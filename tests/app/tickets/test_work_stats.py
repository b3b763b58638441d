"""Completion rate, open-ticket age and recent completions (GET /api/registry/metrics)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dashboard.tickets.model import Ticket
from dashboard.tickets.work_stats import (
    completion_rate,
    done_since,
    median_age_days,
    registry_metrics,
)

NOW = datetime(2025, 9, 10, 12, 0, tzinfo=UTC)


def ticket(number: int, status: str, **fields: object) -> Ticket:
    values: dict = dict(
        priority="medium",
        assignee=None,
        tags=(),
        created=None,
        updated=None,
        due=None,
        path=f"planning/tickets/T-{number}.md",
        body="",
        etag="e",
    )
    values.update(fields)
    return Ticket(id=f"T-{number}", title="t", status=status, **values)


def test_completion_rate_ignores_cancelled():
    tickets = [ticket(1, "done"), ticket(2, "open"), ticket(3, "cancelled"), ticket(4, "done")]

    assert completion_rate(tickets) == round(2 / 3, 4)


def test_completion_rate_is_null_without_tickets():
    assert completion_rate([ticket(1, "cancelled")]) is None


def test_median_age_of_open_tickets_in_days():
    tickets = [
        ticket(1, "open", created=date(2025, 9, 9)),  # 1.5 days at NOW
        ticket(2, "blocked", created=datetime(2025, 9, 7, 12, 0, tzinfo=UTC)),  # 3 days
        ticket(3, "review", created=datetime(2025, 8, 31, 12, 0)),  # naive counts as UTC: 10
        ticket(4, "open"),  # no created: not counted
    ]

    assert median_age_days(tickets, NOW) == 3.0


def test_done_in_last_seven_days_uses_updated():
    since = NOW - timedelta(days=7)
    tickets = [
        ticket(1, "done", updated=datetime(2025, 9, 9, tzinfo=UTC)),
        ticket(2, "done", updated=date(2025, 9, 3)),  # the first day of the window counts
        ticket(3, "done", updated=date(2025, 9, 2)),
        ticket(4, "done"),
        ticket(5, "open", updated=datetime(2025, 9, 9, tzinfo=UTC)),
    ]

    assert done_since(tickets, since) == 2


def test_registry_metrics_open_by_priority_excludes_closed():
    tickets = [
        ticket(1, "open", priority="high"),
        ticket(2, "done", priority="high"),
        ticket(3, "in_progress", priority="low"),
    ]

    metrics = registry_metrics(tickets, NOW)

    assert metrics["open_by_priority"] == {"critical": 0, "high": 1, "medium": 0, "low": 1}
    assert metrics["by_priority"]["high"] == 2
