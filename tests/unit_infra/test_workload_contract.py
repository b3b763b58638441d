"""The program and the image agree: env names are Settings fields, pins are the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from dashboard.backup.settings import BackupSettings
from dashboard.monitor.settings import MonitorSettings
from dashboard.settings import Settings
from ticket_dashboard.project import PROJECT_ROOT

from .harness import ProgramRun, unwrap_secrets

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
