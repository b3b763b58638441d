"""Logs of the dashboard and both jobs are one JSON object per line, with extra= fields."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime

from dashboard.logging import JsonFormatter, logging_config


def record(message: str, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("dashboard.test", logging.WARNING, __file__, 1, message, (), None)
    entry.__dict__.update(extra)
    return entry


def test_line_is_json_with_level_logger_message_and_extras():
    line = JsonFormatter().format(record("index %s", tickets=4))

    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "dashboard.test"
    assert entry["message"] == "index %s" and entry["tickets"] == 4 and "msg" not in entry
    assert entry["ts"].endswith("+00:00")
    assert "\n" not in line


def test_values_json_cannot_encode_are_written_as_text():
    entry = json.loads(JsonFormatter().format(record("x", when=datetime(2025, 1, 1))))

    assert entry["when"] == "2025-01-01 00:00:00"


def test_exception_is_included_on_the_same_line():
    try:
        raise ValueError("multi\nline")
    except ValueError:
        entry = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    line = JsonFormatter().format(entry)

    assert "\n" not in line and "ValueError: multi\nline" in json.loads(line)["exception"]


def test_gunicorn_access_log_is_quiet_unless_enabled():
    quiet = logging_config("INFO", access_log=False)
    loud = logging_config("DEBUG", access_log=True)

    assert quiet["loggers"]["gunicorn.access"]["level"] == "WARNING"
    assert loud["loggers"]["gunicorn.access"]["level"] == "INFO"
    assert loud["root"]["level"] == "DEBUG"
