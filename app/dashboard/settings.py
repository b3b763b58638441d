"""Configuration, read once from DASHBOARD_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

from dashboard.logging import LOG_LEVEL_EXPECTS, LogLevel

ENV_PREFIX = "DASHBOARD_"


def _setting(default: Any, description: str, expects: str, **constraints: Any) -> Any:
    """A field whose `expects` text is what the one-line start-up error shows."""
    return Field(
        default, description=description, json_schema_extra={"expects": expects}, **constraints
    )


class Settings(BaseSettings):
    """Everything the dashboard reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, frozen=True, extra="ignore"
    )

    tickets_dir: Path = _setting(
        Path("/tickets"), "root holding planning/tickets/", "a folder path"
    )
    data_dir: Path = _setting(Path("/data"), "writable folder for audit.log", "a folder path")
    backup_dir: Path = _setting(
        Path("/backups"), "folder where the backup job writes backup-status.json", "a folder path"
    )
    host: str = _setting("0.0.0.0", "address to bind", "an IP address or host name", min_length=1)
    port: int = _setting(8000, "TCP port to listen on", "an integer 1-65535", ge=1, le=65535)
    threads: int = _setting(
        32,
        "request threads (each open live-update stream holds one)",
        "an integer 2-512",
        ge=2,
        le=512,
    )
    log_level: LogLevel = _setting(
        "INFO",
        "log level of the JSON logs on stdout",
        LOG_LEVEL_EXPECTS,
    )
    access_log: bool = _setting(False, "log every HTTP request", "true or false")
    api_token: SecretStr | None = _setting(
        None, "bearer token required by write endpoints (unset: writes are open)", "a string"
    )
    organize_completed: bool = _setting(
        False, "move done/cancelled tickets into planning/tickets/completed/", "true or false"
    )
    watch: bool = _setting(True, "watch the ticket tree and update the index live", "true or false")
    watch_polling: bool = _setting(
        False, "poll instead of inotify (for network or bind mounts)", "true or false"
    )
    watch_poll_interval: float = _setting(
        1.0,
        "seconds between polls when WATCH_POLLING is on",
        "a number of seconds 0.05-60",
        ge=0.05,
        le=60,
    )
    monitor_heartbeat_file: Path | None = _setting(
        None, "JSON file with key `ts` written by the monitor job", "a file path"
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class SettingsError(Exception):
    """Invalid configuration; str() is the single line printed at start-up."""


def load_settings(**overrides: Any) -> Settings:
    """Read the environment (overrides win); raise SettingsError naming each bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_errors(error)) from None


def describe_errors(error: ValidationError) -> str:
    """One line: `DASHBOARD_PORT: expected an integer 1-65535, got 'abc'` (joined by '; ')."""
    parts = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        parts.append(f"{env_name(field)}: expected {_expects(field)}, got {item['input']!r}")
    return "; ".join(parts)


def env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def _expects(field: str) -> str:
    info = Settings.model_fields.get(field)
    extra = info.json_schema_extra if info else None
    if isinstance(extra, dict) and "expects" in extra:
        return str(extra["expects"])
    return "a valid value"


def describe_variables() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, for --help."""
    rows = []
    for field, info in Settings.model_fields.items():
        rows.append((env_name(field), _default_text(info), info.description or ""))
    return rows


def _default_text(info: FieldInfo) -> str:
    if info.default is None:
        return "unset"
    if isinstance(info.default, bool):
        return str(info.default).lower()
    return str(info.default)
