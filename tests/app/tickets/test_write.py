"""The status rewrite touches two lines and nothing else; the write itself: runtime/test_atomic."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from dashboard.tickets.parse import parse_ticket
from dashboard.tickets.write import RewriteError, rewrite_status

NOW = datetime(2025, 9, 1, 12, 30, 5, tzinfo=UTC)
STAMP = b"2025-09-01T12:30:05Z"


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def changed_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    pairs = zip(lines_of(before), lines_of(after), strict=True)
    return [(old, new) for old, new in pairs if old != new]


RICH_TICKET = (
    b"---\n"
    b"# maintained by hand; keep the key order\n"
    b"id: PROJ-7\n"
    b"title: 'Quoted: title'\n"
    b"status:   open   # waiting on infra\n"
    b"priority: high\n"
    b'updated: "2025-08-01"\n'
    b"tags: [a, b]\n"
    b"custom_key: {nested: true}\n"
    b"---\n"
    b"Body with status: open inside it.\n"
    b"\n"
    b"updated: never touched\n"
)


def test_only_status_and_updated_lines_change():
    after = rewrite_status(RICH_TICKET, "blocked", NOW)

    assert changed_lines(RICH_TICKET, after) == [
        (b"status:   open   # waiting on infra\n", b"status:   blocked   # waiting on infra\n"),
        (b'updated: "2025-08-01"\n', b'updated: "' + STAMP + b'"\n'),
    ]
    assert len(lines_of(after)) == len(lines_of(RICH_TICKET))


def test_missing_updated_line_is_inserted_after_status():
    before = b"---\nid: T-1\ntitle: x\nstatus: open\npriority: low\n---\nbody\n"

    after = rewrite_status(before, "done", NOW)

    assert after == b"---\nid: T-1\ntitle: x\nstatus: done\nupdated: " + STAMP + (
        b"\npriority: low\n---\nbody\n"
    )


def test_crlf_line_endings_are_kept_including_inserted_line():
    before = b"---\r\nid: T-1\r\ntitle: x\r\nstatus: open\r\n---\r\nbody\r\n"

    after = rewrite_status(before, "review", NOW)

    assert after == b"---\r\nid: T-1\r\ntitle: x\r\nstatus: review\r\nupdated: " + STAMP + (
        b"\r\n---\r\nbody\r\n"
    )


def test_missing_trailing_newline_stays_missing():
    before = b"---\nid: T-1\ntitle: x\nstatus: open\nupdated: 2025-01-01\n---\nlast line"

    after = rewrite_status(before, "done", NOW)

    assert after.endswith(b"---\nlast line")
    assert after.replace(b"status: done", b"status: open").replace(STAMP, b"2025-01-01") == before


def test_bom_and_double_quotes_are_kept():
    before = b'\xef\xbb\xbf---\nid: T-1\ntitle: x\nstatus: "open"\n---\n'

    after = rewrite_status(before, "done", NOW)

    assert after.startswith(b'\xef\xbb\xbf---\nid: T-1\ntitle: x\nstatus: "done"\n')


def test_indented_status_in_nested_mapping_is_not_touched():
    before = b"---\nid: T-1\ntitle: x\nparent:\n  status: open\nstatus: open\n---\n"

    after = rewrite_status(before, "done", NOW)

    assert b"  status: open\n" in after
    ticket = parse_ticket(after, "x.md")
    assert ticket.status == "done"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "data",
    [
        b"---\n{id: T-1, title: x, status: open}\n---\n",  # flow style: no status line
        b"---\nid: T-1\ntitle: x\nstatus:\n  open\n---\n",  # value on the next line
        b"no front matter\n",
    ],
)
def test_unsafe_layouts_are_refused(data: bytes):
    with pytest.raises(RewriteError):
        rewrite_status(data, "done", NOW)


def test_timestamp_is_utc_iso_with_z():
    before = b"---\nid: T-1\ntitle: x\nstatus: open\n---\n"

    after = rewrite_status(before, "done", NOW)

    assert re.search(rb"^updated: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", after, re.MULTILINE)
