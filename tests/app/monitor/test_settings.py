"""DASHBOARD_MONITOR_* variables: the service URL, the replica list, and their errors."""

from __future__ import annotations

import pytest

from dashboard.envconfig import ConfigurationError, env_name, load_settings
from dashboard.monitor.settings import MonitorSettings

SERVICE = "http://ticket-dashboard-dev-proxy:8080"
TARGET_VARIABLE = env_name(MonitorSettings, "target_url")
REPLICAS_VARIABLE = env_name(MonitorSettings, "replica_urls")


@pytest.fixture
def service_env(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv(TARGET_VARIABLE, SERVICE)
    return monkeypatch


def test_no_replicas_unless_listed(service_env: pytest.MonkeyPatch) -> None:
    settings = load_settings(MonitorSettings)

    assert settings.target_url == SERVICE
    assert settings.replica_urls == ()


def test_an_empty_replica_list_means_none(service_env: pytest.MonkeyPatch) -> None:
    service_env.setenv(REPLICAS_VARIABLE, "")

    assert load_settings(MonitorSettings).replica_urls == ()


def test_replicas_are_a_comma_separated_list(service_env: pytest.MonkeyPatch) -> None:
    service_env.setenv(
        REPLICAS_VARIABLE, " http://replica-1:8000/, https://replica-2:8443 ,http://replica-3,"
    )

    assert load_settings(MonitorSettings).replica_urls == (
        "http://replica-1:8000",
        "https://replica-2:8443",
        "http://replica-3",
    )


@pytest.mark.parametrize(
    "bad", ["replica-1:8000", "ftp://replica-1", "http://", "http://replica-1:99999"]
)
def test_a_bad_replica_url_is_named_with_its_variable(
    service_env: pytest.MonkeyPatch, bad: str
) -> None:
    service_env.setenv(REPLICAS_VARIABLE, f"http://replica-1:8000,{bad}")

    with pytest.raises(ConfigurationError) as caught:
        load_settings(MonitorSettings)

    assert str(caught.value).startswith(f"{REPLICAS_VARIABLE}: expected comma-separated URLs")
    assert str(caught.value).endswith(f"got {bad!r}")


@pytest.mark.parametrize(
    "twice",
    ["http://replica-1:8000,http://replica-1:8000/", "http://replica-1,http://replica-1:80"],
)
def test_a_replica_listed_twice_is_refused(service_env: pytest.MonkeyPatch, twice: str) -> None:
    service_env.setenv(REPLICAS_VARIABLE, twice)

    with pytest.raises(ConfigurationError) as caught:
        load_settings(MonitorSettings)

    assert str(caught.value).startswith(REPLICAS_VARIABLE)
    assert "each replica once" in str(caught.value)


@pytest.mark.parametrize("field", ["target_url", "webhook_url"])
def test_the_other_urls_are_checked_the_same_way(
    service_env: pytest.MonkeyPatch, field: str
) -> None:
    service_env.setenv(env_name(MonitorSettings, field), "ftp://nowhere")

    with pytest.raises(ConfigurationError) as caught:
        load_settings(MonitorSettings)

    assert str(caught.value).startswith(f"{env_name(MonitorSettings, field)}: expected an http")
