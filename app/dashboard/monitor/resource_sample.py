"""Reading the dashboard's /api/metrics document and deriving percentages from it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CgroupMemory(BaseModel):
    memory_usage_bytes: int | None = None
    memory_limit_bytes: int | None = None
    cpu_limit_cores: float | None = None


class MetricsSample(BaseModel):
    """The fields of /api/metrics the monitor uses; others are ignored."""

    model_config = ConfigDict(extra="ignore")

    cpu_seconds: float
    uptime_seconds: float
    rss_bytes: int | None = None
    cgroup: CgroupMemory = CgroupMemory()

    @property
    def memory_percent(self) -> float | None:
        """Usage against the container's cgroup limit; None without both numbers."""
        usage, limit = self.cgroup.memory_usage_bytes, self.cgroup.memory_limit_bytes
        if usage is None or not limit:
            return None
        return 100.0 * usage / limit


class CpuUsageEstimator:
    """CPU use between consecutive samples, as a percentage of the target's CPU allowance.

    ``cpu_seconds`` is cumulative, so a single sample says nothing; the first call
    returns None. The elapsed time is the target's own ``uptime_seconds`` delta rather
    than the monitor's clock, so network latency does not skew the ratio. The
    allowance is the container's CPU limit when the target reports one (100 means the
    limit is used up, which is what a threshold like "80 % CPU" is about); without a
    limit it is one core, and a multi-threaded target can exceed 100.
    """

    def __init__(self) -> None:
        self._previous: MetricsSample | None = None

    def percent(self, sample: MetricsSample) -> float | None:
        previous, self._previous = self._previous, sample
        if previous is None:
            return None
        elapsed = sample.uptime_seconds - previous.uptime_seconds
        used = sample.cpu_seconds - previous.cpu_seconds
        # Non-positive deltas mean the target restarted (counters reset): start over.
        if elapsed <= 0 or used < 0:
            return None
        cores = sample.cgroup.cpu_limit_cores or 1.0
        return 100.0 * used / elapsed / cores
