"""The jobs' settings fields, and their validation errors as one start-up line.

The line has the same shape as the dashboard's own (``dashboard.settings``):
``DASHBOARD_X: expected <what>, got <value>``, several joined by ``; ``. The "what" comes
from a field's ``expects`` text (see ``expects``) or, failing that, pydantic's message.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class ConfigurationError(Exception):
    """Invalid environment; str() is the single line to print at start-up."""


def setting(default: Any, expects: str, **constraints: Any) -> Any:
    """A settings field whose ``expects`` text is what the start-up error shows."""
    return Field(default, json_schema_extra={"expects": expects}, **constraints)


def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    """Read ``settings_class`` from the environment or raise ConfigurationError."""
    try:
        return settings_class()
    except ValidationError as error:
        raise ConfigurationError(describe_errors(error, settings_class)) from None


def describe_errors(error: ValidationError, settings_class: type[BaseSettings]) -> str:
    prefix = settings_class.model_config.get("env_prefix", "")
    parts = []
    for problem in error.errors():
        field_name = str(problem["loc"][0]) if problem["loc"] else ""
        expectation = _expects(settings_class, field_name) or problem["msg"]
        got = "nothing" if problem["type"] == "missing" else repr(problem["input"])
        parts.append(f"{prefix}{field_name.upper()}: expected {expectation}, got {got}")
    return "; ".join(parts)


def _expects(settings_class: type[BaseSettings], field_name: str) -> str | None:
    field = settings_class.model_fields.get(field_name)
    extra = field.json_schema_extra if field else None
    if isinstance(extra, dict) and "expects" in extra:
        return str(extra["expects"])
    return None
