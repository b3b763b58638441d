"""Progress lines: at most one per interval while working, one when done."""

from __future__ import annotations

import logging

import pytest

from dashboard.backup.progress import ProgressReporter


def test_progress_is_logged_per_interval_not_per_entry(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    reporter = ProgressReporter("archiving", interval_seconds=5.0, clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="dashboard.backup.progress")

    for second in range(12):  # one 100-byte entry per second for 12 seconds
        now[0] = float(second + 1)
        reporter.advance(100)
    reporter.finish()

    lines = [(record.getMessage(), record.entries, record.bytes) for record in caplog.records]
    assert lines == [
        ("archiving in progress", 5, 500),
        ("archiving in progress", 10, 1000),
        ("archiving done", 12, 1200),
    ]
