"""Turning SIGTERM and SIGINT into a stop request the jobs' loops can poll."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

logger = logging.getLogger(__name__)


def stop_on_signals(stop: threading.Event) -> None:
    """Set ``stop`` on SIGTERM (``docker stop``) and SIGINT (Ctrl-C) instead of dying
    mid-write; the loops check it often enough to exit within a second or two."""

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("stop requested", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
