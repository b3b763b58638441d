"""What the image built from app/ expects: commands, in-container paths, ports, and its
settings classes, which are the contract between the program and the containers.

A component builds its role's settings object (``app_settings``), which the app's own rules
validate, and ``environment`` renders the container's env list from it: no env name or
value spelling is written down a second time here.
"""

from collections.abc import Mapping, Sequence
from typing import Any, get_args

import pulumi
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from ticket_dashboard.app_settings import (
    BackupSettings,
    DashboardSettings,
    MonitorSettings,
    SettingsT,
    env_name,
)

__all__ = ["BackupSettings", "DashboardSettings", "MonitorSettings"]

DASHBOARD_COMMAND = ("python", "-m", "dashboard")
BACKUP_COMMAND = ("python", "-m", "dashboard.backup", "daemon")
MONITOR_COMMAND = ("python", "-m", "dashboard.monitor")

CONTAINER_PORT = 8000
"""The dashboard listens here inside its container (DASHBOARD_PORT)."""

RUNTIME_UID = 1001
RUNTIME_GID = 1001
"""The image's unprivileged user; every container runs as it."""

TICKETS_PATH = "/tickets"
DATA_PATH = "/data"
BACKUPS_PATH = "/backups"
SCRATCH_PATH = "/tmp"  # noqa: S108 - a private tmpfs inside the container, not the host's /tmp

MONITOR_STATUS_PATH = "/monitor"
"""A small volume the monitor writes and the dashboard reads (read-only)."""

MONITOR_HEARTBEAT_FILE = f"{MONITOR_STATUS_PATH}/heartbeat.json"
"""The monitor rewrites this every tick; its health check reads the file's age and the
dashboard shows it in /api/status."""

HEALTHCHECK_COMMAND = ("python", "-m", "dashboard.healthcheck")
"""The image's own probe (no curl in the image): GET /health, or ``--file`` age."""


def app_settings(settings_class: type[SettingsT], values: Mapping[str, Any]) -> SettingsT:
    """The role's settings object holding exactly ``values``, validated by the app's own
    rules. Not ``settings_class(**values)`` nor ``model_validate``: both also read this
    process's ``DASHBOARD_*`` environment (pydantic-settings 2.16), the program's, not the
    container's."""
    return settings_class.__pydantic_validator__.validate_python(dict(values))


def environment(settings: BaseSettings, *, last: Sequence[str] = ()) -> list[pulumi.Input[str]]:
    """The env list that makes the app read ``settings`` back: one ``NAME=value`` per field
    the component set (the class's env prefix + the field name upper-cased), spelled as the
    app parses it. Sorted by name, then the fields of ``last`` in that order, then the
    secret fields, each a secret Output (the engine encrypts it in state and masks it)."""
    settings_class = type(settings)
    names = settings.model_fields_set
    fields = settings_class.model_fields
    secret = [name for name in fields if name in names and _secret(settings_class, name)]
    plain = sorted(
        (name for name in names if name not in secret and name not in last),
        key=lambda name: env_name(settings_class, name),
    )
    entries: list[pulumi.Input[str]] = [
        f"{env_name(settings_class, name)}={spell(getattr(settings, name))}"
        for name in (*plain, *last)
    ]
    for name in secret:
        text = f"{env_name(settings_class, name)}={spell(getattr(settings, name))}"
        entries.append(pulumi.Output.secret(text))
    return entries


def spell(value: Any) -> str:
    """A value as the app's settings parse it back: true/false, 3 and 82.5 as a person
    writes them, paths as text, a tuple comma-separated (the monitor's replica URLs)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, tuple):
        return ",".join(spell(item) for item in value)
    return str(value)


def _secret(settings_class: type[BaseSettings], name: str) -> bool:
    """SecretStr fields, and those the app marks ``secret`` (the webhook URL)."""
    field = settings_class.model_fields[name]
    extra = field.json_schema_extra
    return SecretStr in (field.annotation, *get_args(field.annotation)) or (
        isinstance(extra, dict) and bool(extra.get("secret"))
    )
