"""The start of both jobs' ``main``: settings from the environment, then JSON logs."""

from __future__ import annotations

import sys
from typing import Protocol, cast

from dashboard.envconfig import ConfigurationError, SettingsT, load_settings
from dashboard.logging import configure_logging

EXIT_CONFIGURATION = 2


class _JobSettings(Protocol):
    """What every job's settings class has (BackupSettings, MonitorSettings)."""

    log_level: str


def start_job(settings_class: type[SettingsT]) -> SettingsT | None:
    """The job's settings, with JSON logging on stdout at their ``log_level``.

    None when the environment is invalid, after printing the one-line reason on stderr;
    the caller then exits with EXIT_CONFIGURATION.
    """
    try:
        settings = load_settings(settings_class)
    except ConfigurationError as error:
        print(f"invalid configuration: {error}", file=sys.stderr)
        return None
    configure_logging(cast(_JobSettings, settings).log_level)
    return settings
