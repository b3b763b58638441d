"""JSON-lines logging for the sidecar jobs.

One JSON object per line on stdout, so a log collector can parse every line without a
grammar. Structured fields travel in ``extra=`` and become top-level keys.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, get_args

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOG_LEVEL_EXPECTS = "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"

# Everything a bare LogRecord carries; any other attribute came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonLineFormatter(logging.Formatter):
    """Formats a record as ``{"ts", "level", "logger", "msg", ...fields}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(
            (key, value) for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES
        )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_json_logging(level: str) -> None:
    """Send every log record to stdout as a JSON line (replaces existing handlers)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def normalize_log_level(level: object) -> object:
    """Accept ``info`` as well as ``INFO``; anything else is left for validation to reject
    as the user wrote it."""
    if isinstance(level, str) and level.upper() in get_args(LogLevel):
        return level.upper()
    return level
