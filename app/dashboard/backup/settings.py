"""Configuration of the backup job, read from ``DASHBOARD_*`` environment variables.

The prefix is shared with the dashboard on purpose: ``DASHBOARD_TICKETS_DIR``,
``DASHBOARD_DATA_DIR``, ``DASHBOARD_BACKUP_DIR`` and ``DASHBOARD_LOG_LEVEL`` name the same
things in both containers, with the same defaults. Variables this class does not know
(the dashboard's own) are ignored; empty ones count as unset.
"""

from __future__ import annotations

from pathlib import Path

from croniter import croniter
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dashboard.envconfig import setting
from dashboard.logging import LOG_LEVEL_EXPECTS, LogLevel, normalize_log_level

CRON_FIELD_COUNT = 5
MAX_RETENTION_DAYS = 3650
"""Ten years: a longer retention is a typo. The deploying program checks a stack's value
against this field too, so the bound is written only here."""


def cron_schedule(schedule: str) -> str:
    """The one cron rule, for the job and the stack that deploys it."""
    schedule = schedule.strip()
    # croniter also accepts 6 and 7 fields (seconds, years); a 6th field is easy to
    # misread as cron's usual meaning, so only the classic 5 fields and @-aliases.
    looks_classic = schedule.startswith("@") or len(schedule.split()) == CRON_FIELD_COUNT
    if not (looks_classic and croniter.is_valid(schedule)):
        raise ValueError(
            f"expected a 5-field cron expression like '0 2 * * *' or '@daily', got {schedule!r}"
        )
    return schedule


class BackupSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DASHBOARD_", env_ignore_empty=True, frozen=True, extra="ignore"
    )

    tickets_dir: Path = setting(
        Path("/tickets"), "a folder path (the ticket tree root)", "ticket tree to back up"
    )
    data_dir: Path = setting(Path("/data"), "a folder path (the data volume)", "data to back up")
    backup_dir: Path = setting(
        Path("/backups"), "a writable folder path", "where archives and backup-status.json go"
    )
    backup_schedule: str = setting(
        "0 2 * * *",
        "a 5-field cron expression in UTC such as '0 2 * * *', or an alias such as '@daily'",
        "cron schedule in UTC",
    )
    backup_retention_days: int = setting(
        30,
        f"a whole number of days 1-{MAX_RETENTION_DAYS}",
        "days to keep archives",
        ge=1,
        le=MAX_RETENTION_DAYS,
    )
    backup_on_start: bool = setting(False, "true or false", "the daemon also backs up at start")
    log_level: LogLevel = setting("INFO", LOG_LEVEL_EXPECTS, "log level of the JSON logs")

    _log_level_any_case = field_validator("log_level", mode="before")(normalize_log_level)

    _schedule_must_be_cron = field_validator("backup_schedule")(cron_schedule)
