"""Configuration of the monitor, read from ``DASHBOARD_MONITOR_*`` environment variables.

A prefix of its own (not the dashboard's ``DASHBOARD_``) because names like
``INTERVAL_SECONDS`` and ``LOG_LEVEL`` would otherwise mean different things to the
two processes when one environment file feeds both. The dashboard reads the heartbeat
file through the same variable (see its ``Settings.monitor_heartbeat_file``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from dashboard.envconfig import setting
from dashboard.logging import LOG_LEVEL_EXPECTS, LogLevel, normalize_log_level

_HTTP_URL = "an http:// or https:// URL with a host"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _http_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    _ = parts.port  # raises ValueError for a port that is not a number 0-65535
    return url.strip().rstrip("/")


HttpUrlText = Annotated[str, AfterValidator(_http_url)]


def host_and_port(url: str) -> tuple[str, int]:
    """Where ``url`` points; two URLs with the same answer reach the same container."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)


class MonitorSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DASHBOARD_MONITOR_", env_ignore_empty=True, frozen=True, extra="ignore"
    )

    target_url: HttpUrlText = setting(
        ...,
        f"{_HTTP_URL}, e.g. http://ticket-dashboard-dev-proxy:8080",
        "the service's base URL (through the proxy)",
    )
    # NoDecode: a comma-separated list, not the JSON pydantic-settings expects for a tuple.
    # The replicas change with every release; the program lists the current ones.
    replica_urls: Annotated[tuple[HttpUrlText, ...], NoDecode] = setting(
        (),
        f"comma-separated URLs, each {_HTTP_URL}, each replica once, "
        "e.g. http://replica-1:8000,http://replica-2:8000",
        "base URLs of the replicas, each watched on its own",
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
    webhook_url: HttpUrlText | None = setting(
        None, _HTTP_URL, "POST each state change here", secret=True
    )
    # /tmp is a tmpfs in the monitor container, the one writable place it has.
    heartbeat_file: Path = setting(
        Path("/tmp/monitor-heartbeat.json"),  # noqa: S108
        "a file path",
        "JSON file rewritten every tick",
    )
    timeout_seconds: float = setting(5.0, "a number of seconds > 0", "per-request timeout", gt=0)
    log_level: LogLevel = setting("INFO", LOG_LEVEL_EXPECTS, "log level of the JSON logs")

    _log_level_any_case = field_validator("log_level", mode="before")(normalize_log_level)

    @field_validator("replica_urls", mode="before")
    @classmethod
    def _split_on_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("replica_urls")
    @classmethod
    def _each_replica_once(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        places = [host_and_port(url) for url in urls]
        if len(set(places)) != len(places):
            raise ValueError("a replica is listed twice")
        return urls
