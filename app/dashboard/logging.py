"""JSON-lines logs on stdout: one object per record, extra= fields included.

The one log format of all three processes (the dashboard and the backup and monitor
jobs): ``{"ts", "level", "logger", "message", ...extra fields, "exception"?}``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, get_args

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOG_LEVEL_EXPECTS = "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"

# Attributes every LogRecord has (taskName only from Python 3.12 on); anything else on a
# record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime", "taskName"}
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(level: str, *, access_log: bool) -> dict[str, Any]:
    """A dictConfig for the root, gunicorn's error and gunicorn's access loggers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"level": level, "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {
                "level": "INFO" if access_log else "WARNING",
                "handlers": [],
                "propagate": True,
            },
        },
    }


def configure_logging(level: str) -> None:
    """For the process entry point only; the app factory never touches global logging."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def normalize_log_level(level: object) -> object:
    """Accept `info` as well as `INFO`; anything else is left for validation to reject
    as the user wrote it."""
    if isinstance(level, str) and level.upper() in get_args(LogLevel):
        return level.upper()
    return level
