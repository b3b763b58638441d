"""Numbers about the work itself (GET /api/registry/metrics)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from dashboard.tickets.model import (
    CLOSED_STATUSES,
    PRIORITIES,
    STATUSES,
    Ticket,
    When,
    as_utc_datetime,
)

RECENT_DAYS = 7


def registry_metrics(tickets: list[Ticket], now: datetime) -> dict[str, Any]:
    open_tickets = [t for t in tickets if t.status not in CLOSED_STATUSES]
    return {
        "total": len(tickets),
        "by_status": count_by(tickets, "status", STATUSES),
        "by_priority": count_by(tickets, "priority", PRIORITIES),
        "completion_rate": completion_rate(tickets),
        "open_by_priority": count_by(open_tickets, "priority", PRIORITIES),
        "median_open_age_days": median_age_days(open_tickets, now),
        "done_last_7_days": done_since(tickets, now - timedelta(days=RECENT_DAYS)),
    }


def completion_rate(tickets: list[Ticket]) -> float | None:
    """done / (all - cancelled): cancelled work is neither done nor outstanding."""
    considered = [t for t in tickets if t.status != "cancelled"]
    if not considered:
        return None
    return round(sum(t.status == "done" for t in considered) / len(considered), 4)


def median_age_days(tickets: list[Ticket], now: datetime) -> float | None:
    """Median of (now - created) in days over the tickets that have `created`."""
    ages = [(now - as_utc_datetime(t.created)).total_seconds() for t in tickets if t.created]
    return round(median(ages) / 86400, 2) if ages else None


def done_since(tickets: list[Ticket], since: datetime) -> int:
    """Done tickets whose `updated` is at or after `since`."""
    return sum(1 for t in tickets if t.status == "done" and _on_or_after(t.updated, since))


def _on_or_after(value: When | None, since: datetime) -> bool:
    """A bare date counts when it is on or after the day of `since`."""
    if value is None:
        return False
    if isinstance(value, datetime):
        return as_utc_datetime(value) >= since
    return value >= since.astimezone(UTC).date()


def count_by(tickets: Iterable[Ticket], attribute: str, keys: Iterable[str]) -> dict[str, int]:
    """Counts for every key (zeros included), so clients get a stable shape."""
    counted = Counter(getattr(ticket, attribute) for ticket in tickets)
    return {key: counted.get(key, 0) for key in keys}
