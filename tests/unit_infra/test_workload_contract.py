"""The program and the image agree: env names are Settings fields, each stack key sets the
one app field it declares, and pins are the same."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from dashboard.backup.settings import BackupSettings
from dashboard.envconfig import load_settings
from dashboard.monitor.settings import MonitorSettings
from dashboard.settings import Settings
from ticket_dashboard.project import PROJECT_ROOT
from ticket_dashboard.settings.sections import StackConfig
from ticket_dashboard.workload import app_settings

from .harness import TEST_TOKEN, ProgramRun, deployable_config, run_program, unwrap_secrets

SETTINGS_OF_ROLE: dict[str, type[BaseSettings]] = {
    "dashboard": Settings,
    "backup": BackupSettings,
    "monitor": MonitorSettings,
}
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)")


def _env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config["env_prefix"]
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


@pytest.mark.parametrize("role", SETTINGS_OF_ROLE)
def test_every_env_name_a_container_gets_is_a_field_of_its_settings(
    deployed: ProgramRun, role: str
) -> None:
    containers = deployed.replicas(role)
    assert containers, f"no {role} container"
    for container in containers:  # each dashboard replica
        # A secret entry (the API token) makes the whole list secret in the mocks' record.
        entries = unwrap_secrets(container.inputs)["envs"]
        names = {entry.split("=", 1)[0] for entry in entries}
        assert names, f"{container.name} gets no environment"
        known = _env_names(SETTINGS_OF_ROLE[role])
        assert names <= known, names - known


ROLE_OF_SECTION = {"dashboard": "dashboard", "backup": "backup", "monitor": "monitor"}
WEBHOOK = "https://hooks.example.test/T000/B000/XXXXSECRET"
# A value off the dev stack's for each key handed to a container.
OTHER_VALUE = {
    "ticketsReadOnly": "true",
    "organizeCompleted": "true",
    "watch": "false",
    "watchPolling": "true",
    "apiToken": TEST_TOKEN,
    "backupSchedule": "@hourly",
    "backupRetentionDays": "90",
    "backupOnStart": "true",
    "monitorIntervalSeconds": "45",
    "monitorCpuThresholdPercent": "82.5",
    "monitorMemoryThresholdPercent": "90",
    "monitorWebhookUrl": WEBHOOK,
}
SECRET = {"apiToken", "monitorWebhookUrl"}
FROM_RESOURCES = {"replica_urls"}
"""Set from other resources' names, which the mocks number afresh in every run."""


def _mapped_keys() -> dict[str, tuple[str, str]]:
    """Stack key -> (role, app field), as the sections declare it."""
    found = {}
    for section, model in StackConfig.sections().items():
        for name, app_field in model.app_fields().items():
            assert model.APP is SETTINGS_OF_ROLE[ROLE_OF_SECTION[section]]
            assert app_field in model.APP.model_fields, (model.key_of(name), app_field)
            found[model.key_of(name)] = (ROLE_OF_SECTION[section], app_field)
    return found


def _read_back(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, overrides: dict[str, str]
) -> dict[str, dict]:
    """Each role's settings as its process reads them from the env list it gets."""
    config, secret_keys = deployable_config("dev", tickets_dir)
    for key, value in overrides.items():
        config[f"ticket-dashboard:{key}"] = value
        if key in SECRET:
            secret_keys = (*secret_keys, f"ticket-dashboard:{key}")
    run = run_program(monkeypatch, "dev", config, secret_keys=secret_keys)
    if run.error is not None:
        raise run.error
    read = {}
    for role, settings_class in SETTINGS_OF_ROLE.items():
        entries = unwrap_secrets(run.container(role).inputs)["envs"]
        with monkeypatch.context() as env:
            for name in [name for name in os.environ if name.startswith("DASHBOARD_")]:
                env.delenv(name)
            for entry in entries:
                env.setenv(*entry.split("=", 1))
            settings = load_settings(settings_class)
        values = {
            name: value.get_secret_value() if isinstance(value, SecretStr) else value
            for name, value in settings.model_dump().items()
            if name not in FROM_RESOURCES
        }
        read[role] = values
    return read


def test_every_key_handed_to_a_container_has_another_value_here() -> None:
    assert set(_mapped_keys()) == set(OTHER_VALUE)


@pytest.mark.parametrize("key", sorted(OTHER_VALUE))
def test_a_stack_key_changes_exactly_its_one_app_field(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, key: str
) -> None:
    role, app_field = _mapped_keys()[key]
    before = _read_back(monkeypatch, tickets_dir, {})
    after = _read_back(monkeypatch, tickets_dir, {key: OTHER_VALUE[key]})
    changed = {
        (each, name)
        for each in SETTINGS_OF_ROLE
        for name in after[each]
        if after[each][name] != before[each][name]
    }
    assert changed == {(role, app_field)}
    # As the app's rules turn the stack's text into the field's value.
    parsed = app_settings(SETTINGS_OF_ROLE[role], {**before[role], app_field: OTHER_VALUE[key]})
    value = getattr(parsed, app_field)
    assert after[role][app_field] == (
        value.get_secret_value() if isinstance(value, SecretStr) else value
    )


def test_the_heartbeat_file_is_one_file_for_the_monitor_and_the_dashboard(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    read = _read_back(monkeypatch, tickets_dir, {})
    assert read["monitor"]["heartbeat_file"] == read["dashboard"]["monitor_heartbeat_file"]
    assert str(read["monitor"]["heartbeat_file"]) == "/monitor/heartbeat.json"


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line.strip()):
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_image_pins_equal_the_root_pins_where_both_name_a_package() -> None:
    image = _pins(PROJECT_ROOT / "app" / "requirements.txt")
    root = _pins(PROJECT_ROOT / "requirements.txt")
    shared = image.keys() & root.keys()
    assert {"flask", "gunicorn", "pydantic", "watchdog"} <= shared
    assert {name: image[name] for name in shared} == {name: root[name] for name in shared}
