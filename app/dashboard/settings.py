"""Configuration, read once from DASHBOARD_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dashboard.envconfig import setting
from dashboard.logging import LOG_LEVEL_EXPECTS, LogLevel, normalize_log_level

ENV_PREFIX = "DASHBOARD_"


class Settings(BaseSettings):
    """Everything the dashboard reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="ignore"
    )

    tickets_dir: Path = setting(Path("/tickets"), "a folder path", "root holding planning/tickets/")
    data_dir: Path = setting(Path("/data"), "a folder path", "writable folder for audit.log")
    backup_dir: Path = setting(
        Path("/backups"), "a folder path", "folder where the backup job writes backup-status.json"
    )
    host: str = setting("0.0.0.0", "an IP address or host name", "address to bind", min_length=1)
    port: int = setting(8000, "an integer 1-65535", "TCP port to listen on", ge=1, le=65535)
    # 8, not 32: under a CPU limit every busy thread competes for the GIL with the loop that
    # refuses overload, and at 4x capacity 32 threads left 5 % of requests unanswered for
    # seconds where 8 answered 99.5 % within 1 s (issue 13; bench/bench_app_limits.py).
    threads: int = setting(
        8,
        "an integer 2-512",
        "request threads (each open live-update stream holds one; at most half are streams)",
        ge=2,
        le=512,
    )
    log_level: LogLevel = setting("INFO", LOG_LEVEL_EXPECTS, "log level of the JSON logs on stdout")
    access_log: bool = setting(False, "true or false", "log every HTTP request")
    api_token: SecretStr | None = setting(
        None, "a string", "bearer token required by write endpoints (unset: writes are open)"
    )
    organize_completed: bool = setting(
        False, "true or false", "move done/cancelled tickets into planning/tickets/completed/"
    )
    tickets_read_only: bool = setting(
        False, "true or false", "refuse status changes with 403 (the tree is mounted read-only)"
    )
    watch: bool = setting(True, "true or false", "watch the ticket tree and update the index live")
    watch_polling: bool = setting(
        False, "true or false", "poll instead of inotify (for network or bind mounts)"
    )
    watch_poll_interval: float = setting(
        1.0,
        "a number of seconds 0.05-60",
        "seconds between polls when WATCH_POLLING is on",
        ge=0.05,
        le=60,
    )
    # A load balancer takes a replica out of rotation only after its next failed /ready
    # check; until then it may still send requests here, which must be served.
    drain_seconds: float = setting(
        0.0,
        "a number of seconds 0-30",
        "after SIGTERM, seconds of serving on with /ready answering 503, before the graceful stop",
        ge=0,
        le=30,
    )
    # One variable, DASHBOARD_MONITOR_HEARTBEAT_FILE, for one file under two names: the
    # monitor writes it as its `heartbeat_file` (its prefix is DASHBOARD_MONITOR_), and this
    # prefix, DASHBOARD_, needs the `monitor_` in the field name to reach the same variable.
    # The program sets both to the same path (tests/unit_infra/test_workload_contract.py).
    monitor_heartbeat_file: Path | None = setting(
        None, "a file path", "JSON file with key `ts` written by the monitor job"
    )

    _log_level_any_case = field_validator("log_level", mode="before")(normalize_log_level)
