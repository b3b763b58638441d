"""The backup job's configuration: defaults, and one clear line per bad variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.backup.settings import BackupSettings
from dashboard.envconfig import ConfigurationError, load_settings
from tests.app.job_helpers import job_environment, run_module

# The tests set what they need; a DASHBOARD_* variable from the shell must not leak in.
pytestmark = pytest.mark.usefixtures("clean_env")


def _load(monkeypatch: pytest.MonkeyPatch, **variables: str) -> BackupSettings:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return load_settings(BackupSettings)


def test_defaults_match_the_dashboard_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load(monkeypatch)

    assert settings.tickets_dir == Path("/tickets")
    assert settings.data_dir == Path("/data")
    assert settings.backup_dir == Path("/backups")
    assert settings.backup_schedule == "0 2 * * *"
    assert settings.backup_retention_days == 30
    assert settings.backup_on_start is False


@pytest.mark.parametrize("schedule", ["*/15 * * * *", "0 2 * * 1-5", "@daily", " 30 1 * * * "])
def test_valid_schedules_are_accepted(monkeypatch: pytest.MonkeyPatch, schedule: str) -> None:
    settings = _load(monkeypatch, DASHBOARD_BACKUP_SCHEDULE=schedule)

    assert settings.backup_schedule == schedule.strip()


@pytest.mark.parametrize("schedule", ["bogus", "61 * * * *", "* * * *", "0 2 * * * 2030"])
def test_invalid_schedule_names_the_variable_and_the_format(
    monkeypatch: pytest.MonkeyPatch, schedule: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _load(monkeypatch, DASHBOARD_BACKUP_SCHEDULE=schedule)

    message = str(raised.value)
    assert message.startswith("DASHBOARD_BACKUP_SCHEDULE: expected a 5-field cron expression")
    assert repr(schedule) in message
    assert "\n" not in message


@pytest.mark.parametrize("days", ["0", "-3", "thirty"])
def test_retention_must_be_a_positive_number_of_days(
    monkeypatch: pytest.MonkeyPatch, days: str
) -> None:
    with pytest.raises(ConfigurationError, match=r"^DASHBOARD_BACKUP_RETENTION_DAYS: expected"):
        _load(monkeypatch, DASHBOARD_BACKUP_RETENTION_DAYS=days)


def test_several_bad_variables_stay_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _load(monkeypatch, DASHBOARD_BACKUP_RETENTION_DAYS="0", DASHBOARD_LOG_LEVEL="loud")

    message = str(raised.value)
    assert "DASHBOARD_BACKUP_RETENTION_DAYS" in message
    assert "DASHBOARD_LOG_LEVEL: expected one of DEBUG" in message
    assert "\n" not in message


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_backup_on_start_reads_common_true_spellings(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    assert _load(monkeypatch, DASHBOARD_BACKUP_ON_START=value).backup_on_start is True


def test_job_exits_2_with_one_line_on_bad_schedule() -> None:
    env = job_environment(DASHBOARD_BACKUP_SCHEDULE="every night")

    result = run_module("dashboard.backup", "run", env=env)

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "DASHBOARD_BACKUP_SCHEDULE" in lines[0]
    assert "5-field cron expression" in lines[0]
