"""Parsing one ticket file: every malformed shape becomes an InvalidTicket with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml

from dashboard.tickets.model import InvalidTicket, Ticket
from dashboard.tickets.parse import etag_of, load_front_matter, parse_ticket
from tests.app.ticket_helpers import ticket_text


def parse_valid(data: bytes) -> Ticket:
    result = parse_ticket(data, "planning/tickets/x.md")
    assert isinstance(result, Ticket), result
    return result


def parse_invalid(data: bytes) -> InvalidTicket:
    result = parse_ticket(data, "planning/tickets/x.md")
    assert isinstance(result, InvalidTicket), result
    return result


def test_valid_ticket_fields_are_read():
    data = ticket_text(
        "PROJ-42",
        "in_progress",
        title="Port scan",
        priority="high",
        extra="assignee: dana\ntags: [deploy, ports]\ncreated: 2025-08-19\nowner_team: infra",
        body="Free text.\n",
    ).encode()

    ticket = parse_valid(data)

    assert (ticket.id, ticket.title, ticket.status, ticket.priority) == (
        "PROJ-42",
        "Port scan",
        "in_progress",
        "high",
    )
    assert ticket.assignee == "dana"
    assert ticket.tags == ("deploy", "ports")
    assert ticket.created == date(2025, 8, 19)
    assert ticket.body == "Free text.\n"
    assert ticket.etag == etag_of(data)


def test_priority_defaults_to_medium():
    data = b"---\nid: T-1\ntitle: x\nstatus: open\n---\n"

    assert parse_valid(data).priority == "medium"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"id: T-1\ntitle: x\n", "first line must be '---'"),
        (b"", "first line must be '---'"),
        (b"\n---\nid: T-1\n---\n", "first line must be '---'"),
        (b"---\nid: T-1\ntitle: x\nstatus: open\n", "not closed"),
        (b"---\nid: [T-1\n---\n", "not valid YAML"),
        (b"---\n- a\n- b\n---\n", "not a YAML mapping"),
        (b"---\n---\n", "not a YAML mapping"),
        (b"---\nid: !!python/object/apply:os.system [ls]\n---\n", "not valid YAML"),
        (b"---\ntitle: x\nstatus: open\n---\n", "id: required"),
        (b"---\nid: t-1\ntitle: x\nstatus: open\n---\n", "id: expected an id"),
        (b"---\nid: T-1\nstatus: open\n---\n", "title: required"),
        (b"---\nid: T-1\ntitle: ''\nstatus: open\n---\n", "title: expected a non-empty"),
        (b"---\nid: T-1\ntitle: x\n---\n", "status: required"),
        (b"---\nid: T-1\ntitle: x\nstatus: wontfix\n---\n", "status: expected one of"),
        (b"---\nid: T-1\ntitle: x\nstatus: open\npriority: urgent\n---\n", "priority: expected"),
        (b"---\nid: T-1\ntitle: x\nstatus: open\ntags: solo\n---\n", "tags: expected a list"),
        (b"---\nid: T-1\ntitle: x\nstatus: open\nassignee: [a]\n---\n", "assignee: expected"),
        (b"---\nid: T-1\ntitle: x\nstatus: open\ndue: soon\n---\n", "due: expected an ISO date"),
        (b"---\nid: T-1\ntitle: x\nstatus: open\ndue: 2025-13-45\n---\n", "month must be"),
    ],
)
def test_malformed_file_is_invalid_with_reason(data: bytes, reason: str):
    invalid = parse_invalid(data)

    assert reason in invalid.reason
    assert invalid.path == "planning/tickets/x.md"


def test_all_field_errors_are_reported_together():
    data = b"---\nid: T-1\ntitle: x\nstatus: nope\npriority: nope\n---\n"

    reason = parse_invalid(data).reason

    assert "status:" in reason and "priority:" in reason


def test_invalid_ticket_keeps_its_id_for_duplicate_detection():
    data = b"---\nid: T-9\ntitle: x\nstatus: nope\n---\n"

    assert parse_invalid(data).id == "T-9"


def test_non_utf8_file_is_invalid_with_offset():
    data = ticket_text("T-1").encode() + b"caf\xe9\n"

    reason = parse_invalid(data).reason

    assert "not UTF-8" in reason and "0xe9" in reason


def test_crlf_file_parses_and_body_keeps_crlf():
    data = ticket_text("T-1", body="line one\nline two\n", newline="\r\n").encode()

    ticket = parse_valid(data)

    assert ticket.status == "open"
    assert ticket.body == "line one\r\nline two\r\n"


def test_file_without_trailing_newline_parses():
    data = b"---\nid: T-1\ntitle: x\nstatus: open\n---"

    ticket = parse_valid(data)

    assert ticket.body == ""


def test_utf8_bom_is_accepted():
    data = b"\xef\xbb\xbf" + ticket_text("T-1").encode()

    assert parse_valid(data).id == "T-1"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("created: 2025-08-19", date(2025, 8, 19)),
        ("created: '2025-08-19'", date(2025, 8, 19)),
        ("created: 2025-08-21T09:30:00Z", datetime(2025, 8, 21, 9, 30, tzinfo=UTC)),
        ('created: "2025-08-21T09:30:00Z"', datetime(2025, 8, 21, 9, 30, tzinfo=UTC)),
    ],
)
def test_dates_from_yaml_objects_or_strings(line: str, expected: object):
    data = ticket_text("T-1", extra=line).encode()

    assert parse_valid(data).created == expected


def test_id_with_trailing_newline_is_rejected():
    data = b'---\nid: "T-1\\n"\ntitle: x\nstatus: open\n---\n'

    assert "id: expected" in parse_invalid(data).reason


def safe_load(front: str) -> object:
    """What the parser did before: PyYAML's whole safe load (libyaml's parser when present)."""
    return yaml.load(front, Loader=yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


FRONT_MATTERS = [
    "id: T-1\ntitle: Plain\nstatus: open\n",
    "id: T-1\ntags: [a, b]\ncreated: 2025-08-19\nupdated: 2025-08-21T09:30:00Z\n",
    "title: 'quoted: colon'\nassignee: \"dana\"\nn: 42\nf: 1.5\nb: yes\nnothing: ~\n",
    "due: '2025-09-01'\nsize: 0x1F\nlist:\n  - x\n  - 3\n",
    "nested:\n  a: 1\ntags: [x, [y]]\n",
    "base: &b {status: open}\nother:\n  <<: *b\n  id: T-2\n",
    "anchor: &a v\ncopy: *a\n",
    "id: !!str 42\ntags: !!set {a, b}\n",
    "id: T-1\nid: T-2\n",
    "? [complex, key]\n: value\n",
    "title: x\n# a comment\nstatus: done # trailing\n",
]


@pytest.mark.parametrize("front", FRONT_MATTERS)
def test_front_matter_is_read_as_safe_load_reads_it(front: str):
    try:
        expected = safe_load(front)
    except yaml.YAMLError as error:
        with pytest.raises(type(error)):
            load_front_matter(front)
        return

    assert load_front_matter(front) == expected


@pytest.mark.parametrize(
    "front",
    [
        "created: 2025-13-45\n",
        "id: !!python/object/apply:os.system [ls]\n",
        "id: !custom x\n",
        "a: 1\n---\nb: 2\n",
    ],
)
def test_front_matter_errors_are_safe_loads_errors(front: str):
    with pytest.raises((yaml.YAMLError, ValueError)) as expected:
        safe_load(front)

    with pytest.raises(type(expected.value)) as got:
        load_front_matter(front)
    assert str(got.value) == str(expected.value)
