"""Configuration of the monitor, read from ``DASHBOARD_MONITOR_*`` environment variables.

A prefix of its own (not the dashboard's ``DASHBOARD_``) because names like
``INTERVAL_SECONDS`` and ``LOG_LEVEL`` would otherwise mean different things to the
two processes when one environment file feeds both. The dashboard reads the heartbeat
file through the same name, ``DASHBOARD_MONITOR_HEARTBEAT_FILE``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dashboard.envconfig import setting
from dashboard.logging import LOG_LEVEL_EXPECTS, LogLevel, normalize_log_level

_HTTP_URL = "an http:// or https:// URL with a host"


class MonitorSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DASHBOARD_MONITOR_", env_ignore_empty=True, frozen=True, extra="ignore"
    )

    target_url: str = setting(
        ...,
        f"{_HTTP_URL}, e.g. http://ticket-dashboard-dev-dashboard:8000",
        "dashboard base URL",
    )
    interval_seconds: float = setting(
        60.0, "a number of seconds > 0", "seconds between polls", gt=0
    )
    # Percent of the target's CPU limit (one core when it has none): see CpuUsageEstimator.
    cpu_threshold_percent: float = setting(
        80.0, "a percentage > 0", "CPU % of the target's CPU limit that alerts", gt=0
    )
    memory_threshold_percent: float = setting(
        80.0, "a percentage > 0 and <= 100", "cgroup memory % that alerts", gt=0, le=100
    )
    webhook_url: str | None = setting(None, _HTTP_URL, "POST each state change here")
    # /tmp is a tmpfs in the monitor container, the one writable place it has.
    heartbeat_file: Path = setting(
        Path("/tmp/monitor-heartbeat.json"),  # noqa: S108
        "a file path",
        "JSON file rewritten every tick",
    )
    timeout_seconds: float = setting(5.0, "a number of seconds > 0", "per-request timeout", gt=0)
    log_level: LogLevel = setting("INFO", LOG_LEVEL_EXPECTS, "log level of the JSON logs")

    _log_level_any_case = field_validator("log_level", mode="before")(normalize_log_level)

    @field_validator("target_url", "webhook_url")
    @classmethod
    def _must_be_http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("not an http(s) URL")
        return url.strip().rstrip("/")
