"""Change a ticket's status by editing two lines of its bytes and nothing else.

The `status:` line keeps its quoting, spacing and trailing comment; only the value
changes. The `updated:` line is rewritten the same way, or, when the file has none,
inserted directly after the `status:` line (so the two facts of a change sit together),
using the line ending of the status line.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dashboard.tickets.model import Ticket
from dashboard.tickets.parse import BOM, DELIMITER, LINE_PATTERN, parse_ticket

_LINE = re.compile(LINE_PATTERN.encode())
_DELIMITER = DELIMITER.encode()


class RewriteError(ValueError):
    """The file's layout does not allow a safe two-line edit."""


def _key_line(key: str) -> re.Pattern[bytes]:
    return re.compile(
        rb"(?P<head>" + key.encode() + rb"[ \t]*:[ \t]*)"
        rb"(?P<value>\"[^\"\r\n]*\"|'[^'\r\n]*'|[^#\r\n]*?)"
        rb"(?P<tail>[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n)?)\Z"
    )


_STATUS_LINE = _key_line("status")
_UPDATED_LINE = _key_line("updated")


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rewrite_status(data: bytes, new_status: str, now: datetime, path: str = "") -> bytes:
    """The file's bytes with status and updated changed; raise RewriteError if unsafe."""
    prefix = BOM if data.startswith(BOM) else b""
    lines = _LINE.findall(data[len(prefix) :])
    end = _front_matter_end(lines)
    status_rows = [i for i in range(1, end) if _STATUS_LINE.match(lines[i])]
    if not status_rows:
        raise RewriteError("front matter has no top-level 'status:' line to rewrite")
    for row in status_rows:
        lines[row] = _with_value(_STATUS_LINE, lines[row], new_status)
    _set_updated(lines, end, status_rows[-1], format_timestamp(now))
    result = prefix + b"".join(lines)
    _verify(data, result, new_status, path)
    return result


def _front_matter_end(lines: list[bytes]) -> int:
    if not lines or lines[0].rstrip() != _DELIMITER:
        raise RewriteError("file does not start with a '---' front matter block")
    for row in range(1, len(lines)):
        if lines[row].rstrip() == _DELIMITER:
            return row
    raise RewriteError("front matter is not closed by a '---' line")


def _set_updated(lines: list[bytes], end: int, status_row: int, stamp: str) -> None:
    updated_rows = [i for i in range(1, end) if _UPDATED_LINE.match(lines[i])]
    for row in updated_rows:
        lines[row] = _with_value(_UPDATED_LINE, lines[row], stamp)
    if not updated_rows:
        lines.insert(status_row + 1, b"updated: " + stamp.encode() + _ending(lines[status_row]))


def _with_value(pattern: re.Pattern[bytes], line: bytes, value: str) -> bytes:
    match = pattern.match(line)
    assert match is not None  # callers only pass lines that matched
    old = match["value"]
    quote = old[:1] if old[:1] in (b'"', b"'") else b""
    return match["head"] + quote + value.encode() + quote + match["tail"]


def _ending(line: bytes) -> bytes:
    stripped = line.rstrip(b"\r\n")
    return line[len(stripped) :] or b"\n"


def _verify(before: bytes, after: bytes, new_status: str, path: str) -> None:
    """Refuse to write anything that would not read back as the same ticket, changed."""
    old, new = parse_ticket(before, path), parse_ticket(after, path)
    if not isinstance(new, Ticket) or new.status != new_status:
        raise RewriteError("the status line could not be rewritten safely; edit the file by hand")
    if not isinstance(old, Ticket) or old.id != new.id:
        raise RewriteError("the file changed identity while rewriting; edit the file by hand")
