"""What one poll of the target saw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Observation:
    ts: datetime
    healthy: bool
    # "ok", or why the target counts as unhealthy ("HTTP 503", "connection refused").
    detail: str
    # None when unknown: first sample, metrics unavailable, or the target unhealthy.
    cpu_percent: float | None = None
    memory_percent: float | None = None
