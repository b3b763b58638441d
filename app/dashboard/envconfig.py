"""Settings read from the environment: their fields, their --help rows and their errors.

One mechanism for all three processes (the dashboard and the backup and monitor jobs).
A bad value becomes one start-up line, ``DASHBOARD_X: expected <what>, got <value>``,
several joined by ``; ``. The "what" comes from a field's ``expects`` text (see
``setting``) or, failing that, pydantic's message.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class ConfigurationError(Exception):
    """Invalid environment; str() is the single line to print at start-up."""


def setting(
    default: Any, expects: str, description: str = "", *, secret: bool = False, **constraints: Any
) -> Any:
    """A settings field; ``expects`` is what the start-up error shows, ``description``
    what --help shows. ``secret``: a plain-text field whose value is a credential all the
    same (a webhook URL), which the deploying program passes only as a secret."""
    extra: dict[str, Any] = {"expects": expects}
    if secret:
        extra["secret"] = True
    return Field(default, description=description or None, json_schema_extra=extra, **constraints)


def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    """Read ``settings_class`` from the environment or raise ConfigurationError."""
    try:
        return settings_class()
    except ValidationError as error:
        raise ConfigurationError(describe_errors(error, settings_class)) from None


def describe_errors(error: ValidationError, settings_class: type[BaseSettings]) -> str:
    parts = []
    for problem in error.errors():
        field_name = str(problem["loc"][0]) if problem["loc"] else ""
        expectation = _expects(settings_class, field_name) or problem["msg"]
        got = "nothing" if problem["type"] == "missing" else repr(problem["input"])
        parts.append(f"{env_name(settings_class, field_name)}: expected {expectation}, got {got}")
    return "; ".join(parts)


def env_name(settings_class: type[BaseSettings], field_name: str) -> str:
    return f"{settings_class.model_config.get('env_prefix', '')}{field_name.upper()}"


def environment_help(settings_class: type[BaseSettings]) -> str:
    """One --help row per variable: name, description and default."""
    rows = [
        f"  {env_name(settings_class, name):<44} {info.description or ''} "
        f"(default: {_default_text(info)})"
        for name, info in settings_class.model_fields.items()
    ]
    return "environment variables:\n" + "\n".join(rows)


def _default_text(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default is None:
        return "unset"
    if isinstance(info.default, bool):
        return str(info.default).lower()
    return str(info.default)


def _expects(settings_class: type[BaseSettings], field_name: str) -> str | None:
    field = settings_class.model_fields.get(field_name)
    extra = field.json_schema_extra if field else None
    if isinstance(extra, dict) and "expects" in extra:
        return str(extra["expects"])
    return None
