"""Reading and validating query parameters; bad values are 400s that say what is expected."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from dashboard.tickets.model import PRIORITIES, STATUSES, is_ticket_id
from dashboard.tickets.query import DEFAULT_LIMIT, MAX_LIMIT, TicketQuery


def ticket_query(args: MultiDict[str, str]) -> TicketQuery:
    return TicketQuery(
        status=_choice(args, "status", STATUSES),
        priority=_choice(args, "priority", PRIORITIES),
        assignee=args.get("assignee") or None,
        tag=args.get("tag") or None,
        text=args.get("q") or None,
        limit=_integer(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_integer(args, "offset", 0, 0, 10**9),
    )


def valid_ticket_id(ticket_id: str) -> str:
    if not is_ticket_id(ticket_id):
        raise BadRequest(f"{ticket_id!r} is not a ticket id (expected e.g. TICKET-42)")
    return ticket_id


def _choice(args: MultiDict[str, str], name: str, allowed: Iterable[str]) -> str | None:
    value = args.get(name) or None
    if value is not None and value not in allowed:
        raise BadRequest(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _integer(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadRequest(f"{name}: expected an integer {low}-{high}, got {raw!r}")
    return int(raw)
