"""Process and container resource figures (GET /api/metrics, /metrics)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

CGROUP_ROOT = Path("/sys/fs/cgroup")
# cgroup v1 reports "no limit" as a huge page-rounded number rather than a word.
_UNLIMITED_V1 = 1 << 60


@dataclass(frozen=True, slots=True)
class CgroupMemory:
    version: int | None
    usage_bytes: int | None
    limit_bytes: int | None


def read_cgroup_memory(root: Path = CGROUP_ROOT) -> CgroupMemory:
    """v2 (memory.current / memory.max) or v1 (memory/memory.*_in_bytes); nulls if neither."""
    if (root / "memory.current").is_file():
        return CgroupMemory(2, _read_int(root / "memory.current"), _read_int(root / "memory.max"))
    v1 = root / "memory"
    if (v1 / "memory.usage_in_bytes").is_file():
        limit = _read_int(v1 / "memory.limit_in_bytes")
        if limit is not None and limit >= _UNLIMITED_V1:
            limit = None
        return CgroupMemory(1, _read_int(v1 / "memory.usage_in_bytes"), limit)
    return CgroupMemory(None, None, None)


def read_cgroup_cpu_limit(root: Path = CGROUP_ROOT) -> float | None:
    """The CPU limit in cores (``--cpus``): v2 cpu.max or v1 CFS quota/period; None if unlimited.

    The monitor needs it because CPU seconds per second only make a percentage of the
    container's allowance once divided by it: under a 0.5 CPU limit, one busy core
    is impossible and "80 % of a core" would never fire.
    """
    if (root / "cpu.max").is_file():
        fields = _read_text(root / "cpu.max").split()  # "QUOTA PERIOD", e.g. "50000 100000"
        return _cores(*fields) if len(fields) == 2 else None
    v1 = root / "cpu"
    return _cores(_read_text(v1 / "cpu.cfs_quota_us"), _read_text(v1 / "cpu.cfs_period_us"))


def _cores(quota: str, period: str) -> float | None:
    # "max" (v2) and "-1" (v1) both mean no quota; isdigit() rejects either.
    if not (quota.isdigit() and period.isdigit()) or int(period) == 0:
        return None
    return int(quota) / int(period)


def _read_text(path: Path) -> str:
    """A cgroup file's content, stripped; "" for absent or unreadable files."""
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _read_int(path: Path) -> int | None:
    """The number in a cgroup file; None for "max", absent or unreadable files."""
    text = _read_text(path)
    return int(text) if text.isdigit() else None


class ProcessMetrics:
    def __init__(self, cgroup_root: Path = CGROUP_ROOT) -> None:
        self._process = psutil.Process()
        self._started = time.monotonic()
        self._cgroup_root = cgroup_root

    def uptime_seconds(self) -> float:
        return round(time.monotonic() - self._started, 3)

    def snapshot(self) -> dict[str, Any]:
        times = self._process.cpu_times()
        cgroup = read_cgroup_memory(self._cgroup_root)
        cpu_limit = read_cgroup_cpu_limit(self._cgroup_root)
        return {
            "rss_bytes": self._process.memory_info().rss,
            "cpu_seconds": round(times.user + times.system, 3),
            "uptime_seconds": self.uptime_seconds(),
            "threads": self._process.num_threads(),
            "cgroup": {
                "version": cgroup.version,
                "memory_usage_bytes": cgroup.usage_bytes,
                "memory_limit_bytes": cgroup.limit_bytes,
                "cpu_limit_cores": cpu_limit,
            },
        }
