"""Progress lines for operations that can take minutes (archiving, verifying, restoring)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class ProgressReporter:
    """Counts entries and bytes and logs a line at most every ``interval_seconds``.

    Time-based rather than every N files so a tree of many small files does not flood
    the log and one huge file still shows signs of life between its neighbours.
    """

    def __init__(
        self,
        action: str,
        interval_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._action = action
        self._interval_seconds = interval_seconds
        self._clock = clock
        self._last_report = clock()
        self.entries = 0
        self.bytes = 0

    def advance(self, size_bytes: int = 0) -> None:
        self.entries += 1
        self.bytes += size_bytes
        now = self._clock()
        if now - self._last_report >= self._interval_seconds:
            self._last_report = now
            self._log(f"{self._action} in progress")

    def finish(self) -> None:
        self._log(f"{self._action} done")

    def _log(self, message: str) -> None:
        logger.info(message, extra={"entries": self.entries, "bytes": self.bytes})
