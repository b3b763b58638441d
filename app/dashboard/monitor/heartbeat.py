"""The heartbeat file: proof for a container healthcheck that the monitor is ticking."""

from __future__ import annotations

import logging
from pathlib import Path

from dashboard.atomic import write_json_atomically
from dashboard.monitor.observation import Observation

logger = logging.getLogger(__name__)


class HeartbeatWriter:
    """Writes ``{"ts", "state", "target", ...}`` atomically to ``path`` every tick.

    A write failure is logged once when it starts and once when it ends, not every
    tick, so a full disk does not flood the log.
    """

    def __init__(self, path: Path, target: str) -> None:
        self._path = path
        self._target = target
        self._failing = False

    def write(self, observation: Observation, state: str, alerts: list[str]) -> None:
        document = {
            "ts": observation.ts.isoformat(),
            "state": state,
            "target": self._target,
            "alerts": alerts,
            "cpu_percent": observation.cpu_percent,
            "memory_percent": observation.memory_percent,
        }
        try:
            write_json_atomically(self._path, document)
        except OSError as error:
            if not self._failing:
                logger.error(
                    "cannot write heartbeat file",
                    extra={"path": str(self._path), "error": str(error)},
                )
            self._failing = True
            return
        if self._failing:
            logger.info("heartbeat file writable again", extra={"path": str(self._path)})
        self._failing = False
