"""Configuration from DASHBOARD_* variables; bad values fail with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.envconfig import ConfigurationError, load_settings
from dashboard.settings import Settings


def test_defaults(clean_env: None):
    settings = load_settings(Settings)

    assert settings.port == Settings.model_fields["port"].default == 8000
    assert settings.watch is True and settings.organize_completed is False
    assert settings.api_token is None and settings.monitor_heartbeat_file is None
    assert settings.drain_seconds == 0  # local runs and tests stop at once


def test_values_come_from_prefixed_environment(clean_env: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DASHBOARD_PORT", "9001")
    monkeypatch.setenv("DASHBOARD_TICKETS_DIR", "/srv/tickets")
    monkeypatch.setenv("DASHBOARD_WATCH_POLLING", "true")
    monkeypatch.setenv("DASHBOARD_LOG_LEVEL", "debug")
    monkeypatch.setenv("DASHBOARD_API_TOKEN", "abc")

    settings = load_settings(Settings)

    assert settings.port == 9001 and settings.tickets_dir == Path("/srv/tickets")
    assert settings.watch_polling is True and settings.log_level == "DEBUG"
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "abc"
    assert "abc" not in repr(settings)


def test_empty_variable_means_unset(clean_env: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DASHBOARD_API_TOKEN", "")

    assert load_settings(Settings).api_token is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DASHBOARD_PORT", "abc", "DASHBOARD_PORT: expected an integer 1-65535, got 'abc'"),
        ("DASHBOARD_PORT", "70000", "DASHBOARD_PORT: expected an integer 1-65535, got '70000'"),
        ("DASHBOARD_WATCH", "maybe", "DASHBOARD_WATCH: expected true or false, got 'maybe'"),
        ("DASHBOARD_LOG_LEVEL", "LOUD", "DASHBOARD_LOG_LEVEL: expected one of DEBUG, INFO"),
        ("DASHBOARD_THREADS", "1", "DASHBOARD_THREADS: expected an integer 2-512, got '1'"),
        (
            "DASHBOARD_DRAIN_SECONDS",
            "-1",
            "DASHBOARD_DRAIN_SECONDS: expected a number of seconds 0-30, got '-1'",
        ),
    ],
)
def test_invalid_value_is_one_line_naming_variable(
    clean_env: None, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
):
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigurationError) as caught:
        load_settings(Settings)

    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_several_invalid_values_share_the_line(clean_env: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DASHBOARD_PORT", "x")
    monkeypatch.setenv("DASHBOARD_ORGANIZE_COMPLETED", "perhaps")

    with pytest.raises(ConfigurationError) as caught:
        load_settings(Settings)

    text = str(caught.value)
    assert "DASHBOARD_PORT" in text and "DASHBOARD_ORGANIZE_COMPLETED" in text
    assert "\n" not in text
