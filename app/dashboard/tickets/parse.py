"""Turn the bytes of one ticket file into a Ticket, or an InvalidTicket with the reason."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import yaml

from dashboard.tickets.model import (
    DEFAULT_PRIORITY,
    PRIORITIES,
    STATUSES,
    IndexEntry,
    InvalidTicket,
    Ticket,
    When,
    is_ticket_id,
)

BOM = b"\xef\xbb\xbf"
DELIMITER = "---"
# Only CR, LF and CRLF end a line (str.splitlines would also split on \f, \x1c, U+2028...);
# the status writer splits the same file's bytes with the same pattern.
LINE_PATTERN = r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z"
_LINE = re.compile(LINE_PATTERN)


class FrontMatterError(ValueError):
    """The file does not start with a `---` delimited YAML block."""


def etag_of(data: bytes) -> str:
    """Strong entity tag (unquoted) of a file's exact bytes."""
    return hashlib.sha256(data).hexdigest()[:32]


def parse_ticket(data: bytes, path: str) -> IndexEntry:
    """Parse one ticket file; never raises for bad content."""
    etag = etag_of(data)
    try:
        text = data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        reason = f"not UTF-8: byte 0x{data[error.start]:02x} at offset {error.start}; save as UTF-8"
        return InvalidTicket(path, reason, etag=etag)
    try:
        front, body = split_front_matter(text)
        meta = load_front_matter(front)
    # ValueError: PyYAML builds bare dates itself and fails on ones like 2025-13-45.
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        return InvalidTicket(path, _reason_of(error), etag=etag)
    return _build(meta, body, path, etag)


def split_front_matter(text: str) -> tuple[str, str]:
    """(YAML text, body) of a file whose first line is `---` and that has a closing `---`."""
    lines = _LINE.findall(text)
    if not lines or lines[0].rstrip() != DELIMITER:
        raise FrontMatterError("no front matter: the first line must be '---'")
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() == DELIMITER:
            return "".join(lines[1:number]), "".join(lines[number + 1 :])
    raise FrontMatterError("front matter is not closed: add a '---' line after the YAML block")


def load_front_matter(front: str) -> dict[str, Any]:
    """The YAML block as yaml.safe_load reads it; FrontMatterError unless it is a mapping."""
    loader = _SafeLoader(front)
    try:
        node = loader.get_single_node()
        meta = _flat_mapping(loader, node)
        if meta is _NOT_FLAT:
            meta = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter is not a YAML mapping of key: value lines")
    return meta


# The same safe loader either way; libyaml's parser is about ten times faster.
_SafeLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_NOT_FLAT: Any = object()
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)


def _flat_mapping(loader: Any, node: Any) -> Any:
    """The dict PyYAML would build from a mapping of scalars and lists of scalars (what front
    matter is), or _NOT_FLAT for anything else, which PyYAML then builds itself.

    PyYAML's resolver and per-tag constructors decide every value, as in construct_document;
    only its generic walk (recursion bookkeeping, generators for two-step construction) is
    skipped. That walk was a third of the CPU of reading a ticket, and the first scan reads
    10,000 of them under a 0.5 CPU limit.
    """
    if not isinstance(node, yaml.MappingNode) or node.tag != _MAP_TAG:
        return _NOT_FLAT
    meta = {}
    for key_node, value_node in node.value:
        key = _scalar(loader, key_node)
        if isinstance(value_node, yaml.SequenceNode) and value_node.tag == _SEQ_TAG:
            value: Any = [_scalar(loader, item) for item in value_node.value]
            if _NOT_FLAT in value:
                return _NOT_FLAT
        else:
            value = _scalar(loader, value_node)
        if key is _NOT_FLAT or value is _NOT_FLAT:
            return _NOT_FLAT
        meta[key] = value
    return meta


def _scalar(loader: Any, node: Any) -> Any:
    if not isinstance(node, yaml.ScalarNode) or node.tag not in _SCALAR_TAGS:
        return _NOT_FLAT  # a collection, a merge key (<<) or a tag of another type
    if node.tag == _STR_TAG:
        return node.value
    return loader.yaml_constructors[node.tag](loader, node)


def _reason_of(error: Exception) -> str:
    if isinstance(error, FrontMatterError):
        return str(error)
    if isinstance(error, RecursionError):
        return "front matter is nested too deeply to read"
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        # +2: the YAML block starts on the file's second line, and marks count from 0.
        line = error.problem_mark.line + 2
        return f"front matter is not valid YAML: {error.problem} (line {line})"
    return f"front matter is not valid YAML: {error}"


def _build(meta: dict[str, Any], body: str, path: str, etag: str) -> IndexEntry:
    errors: list[str] = []
    fields = {key: _check(key, check, meta, errors) for key, check in _CHECKS.items()}
    ticket_id = meta.get("id") if is_ticket_id(meta.get("id")) else None
    if errors:
        return InvalidTicket(path, "; ".join(errors), id=ticket_id, etag=etag)
    search_text = f"{fields['title']}\n{body}".casefold()
    return Ticket(**fields, path=path, body=body, etag=etag, search_text=search_text)


def _check(key: str, check: Callable[[Any], Any], meta: dict[str, Any], errors: list[str]) -> Any:
    try:
        return check(meta.get(key))
    except ValueError as error:
        errors.append(f"{key}: {error}")
        return None


def _check_id(value: Any) -> str:
    if value is None:
        raise ValueError("required")
    if not is_ticket_id(value):
        raise ValueError(f"expected an id like TICKET-42 (A-Z, digits, '-', number), got {value!r}")
    return value


def _check_title(value: Any) -> str:
    if value is None:
        raise ValueError("required")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string (quote it in YAML), got {value!r}")
    return value


def _check_status(value: Any) -> str:
    if value is None:
        raise ValueError("required")
    if value not in STATUSES:
        raise ValueError(f"expected one of {', '.join(STATUSES)}, got {value!r}")
    return value


def _check_priority(value: Any) -> str:
    if value is None:
        return DEFAULT_PRIORITY
    if value not in PRIORITIES:
        raise ValueError(f"expected one of {', '.join(PRIORITIES)}, got {value!r}")
    return value


def _check_assignee(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _check_tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise ValueError(f"expected a list of strings like [deploy, ports], got {value!r}")
    return tuple(value)


def parse_when(value: Any) -> When | None:
    """YAML gives date/datetime objects for bare ISO values and strings for quoted ones."""
    if value is None or isinstance(value, date):  # datetime is a date subclass
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected an ISO date (2025-08-19) or date-time, got {value!r}")


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "id": _check_id,
    "title": _check_title,
    "status": _check_status,
    "priority": _check_priority,
    "assignee": _check_assignee,
    "tags": _check_tags,
    "created": parse_when,
    "updated": parse_when,
    "due": parse_when,
}
