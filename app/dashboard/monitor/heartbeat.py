"""The heartbeat file: proof for a container healthcheck that the monitor is ticking.

It also says where each target stands, and the dashboard shows it in /api/status.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dashboard.monitor.targets import TargetStatus
from dashboard.runtime.atomic import write_json_atomically

logger = logging.getLogger(__name__)


class HeartbeatWriter:
    """Writes the document below atomically to ``path`` every tick.

    ``{"ts", "state", "target", "alerts", "cpu_percent", "memory_percent", "replicas"}``:
    the top-level keys describe the service (as before there were replicas);
    ``replicas`` maps each replica's name to ``{"url", "state", "detail", "alerts",
    "cpu_percent", "memory_percent"}``, ``{}`` when none are watched.

    A write failure is logged once when it starts and once when it ends, not every
    tick, so a full disk does not flood the log.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._failing = False

    def write(self, service: TargetStatus, replicas: Mapping[str, TargetStatus]) -> None:
        document = {
            "ts": service.ts.isoformat() if service.ts else None,
            "state": service.state,
            "target": service.url,
            "alerts": service.alerts,
            "cpu_percent": service.cpu_percent,
            "memory_percent": service.memory_percent,
            "replicas": {name: _replica_entry(status) for name, status in replicas.items()},
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


def _replica_entry(status: TargetStatus) -> dict[str, Any]:
    return {
        "url": status.url,
        "state": status.state,
        "detail": status.detail,
        "alerts": status.alerts,
        "cpu_percent": status.cpu_percent,
        "memory_percent": status.memory_percent,
    }
