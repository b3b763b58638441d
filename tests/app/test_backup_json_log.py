"""The sidecar jobs' log format: one JSON object per line with ts, level, msg and fields."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime

from dashboard.backup.json_log import JsonLineFormatter


def _record(message: str, **fields: object) -> logging.LogRecord:
    logger = logging.getLogger("dashboard.backup.test")
    return logger.makeRecord(
        logger.name, logging.WARNING, "f.py", 1, message, (), None, extra=fields
    )


def test_a_record_becomes_one_json_line_with_its_fields() -> None:
    line = JsonLineFormatter().format(_record("backup failed", archive="a.tar.gz", size_bytes=3))

    assert "\n" not in line
    document = json.loads(line)
    assert document["msg"] == "backup failed"
    assert document["level"] == "WARNING"
    assert document["logger"] == "dashboard.backup.test"
    assert (document["archive"], document["size_bytes"]) == ("a.tar.gz", 3)
    assert datetime.fromisoformat(document["ts"]).tzinfo is not None


def test_exceptions_stay_inside_the_line() -> None:
    try:
        raise ValueError("multi\nline")
    except ValueError:
        record = _record("boom")
        record.exc_info = sys.exc_info()

    document = json.loads(JsonLineFormatter().format(record))

    assert "ValueError: multi\nline" in document["exception"]


def test_values_json_cannot_encode_are_written_as_text() -> None:
    document = json.loads(JsonLineFormatter().format(_record("x", when=datetime(2025, 1, 1))))

    assert document["when"] == "2025-01-01 00:00:00"
