"""Loads a stack's settings: the Pulumi runtime's config, checked against the sections and
the host, or refused with every problem named.

``load_stack_config`` reads the running program's config; ``parse_stack_config`` reads a
plain mapping (the ``config:`` block of a Pulumi.<stack>.yaml) the same way, so tests check
the real stack files. Both raise ``ConfigError`` naming every bad key and what it expects,
before the program declares a single resource.

Values are handled as the Pulumi CLI hands them to a program: as strings (``"3100"``,
``"true"``). Mappings from YAML are turned into those strings first, so a file value and a
``pulumi config set`` value validate identically.
"""

import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from pydantic import ValidationError

from ticket_dashboard.project import CONFIG_NAMESPACE, PROJECT_ROOT
from ticket_dashboard.settings.host_checks import (
    missing_tree_problem,
    resolve_tickets_dir,
    unwritable_tree_problem,
)
from ticket_dashboard.settings.report import (
    describe,
    plaintext_secret_problems,
    report,
    unknown_key_problems,
)
from ticket_dashboard.settings.sections import KNOWN_KEYS, DashboardConfig, Section, StackConfig
from ticket_dashboard.workload import app_settings

TICKETS_DIR_FIELD = "tickets_dir"


class ConfigError(pulumi.RunError):
    """Stack configuration is invalid; the message lists each key and what it expects."""


def load_stack_config(project_root: Path = PROJECT_ROOT) -> StackConfig:
    """The running program's stack config, validated.

    The language host hands a program its whole config as the PULUMI_CONFIG bag (and the
    secret keys beside it); reading the bag, rather than key by key, is what lets unknown
    keys be reported.
    """
    values = pulumi.runtime.get_config_env()
    secret_keys = set(pulumi.runtime.get_config_secret_keys_env())
    return parse_stack_config(values, project_root=project_root, secret_keys=secret_keys)


def parse_stack_config(
    config: Mapping[str, Any],
    *,
    project_root: Path = PROJECT_ROOT,
    secret_keys: Collection[str] = (),
) -> StackConfig:
    """Validate a ``config:`` mapping; keys of other namespaces (e.g. ``docker:``) are ignored.

    ``secret_keys`` lists the full keys that were stored with ``--secret``.
    """
    raw = _own_keys(config)
    problems = [*unknown_key_problems(raw), *plaintext_secret_problems(raw, secret_keys)]
    known = {key: value for key, value in raw.items() if key in KNOWN_KEYS}
    sections: dict[str, Section] = {}
    for name, model in StackConfig.sections().items():
        values = {field: known[key] for key, field in model.config_keys().items() if key in known}
        if model is DashboardConfig:
            section, found = _dashboard_on_this_host(values, Path(project_root))
        else:
            section, found = _section(model, values)
        problems.extend(found)
        if section is not None:
            sections[name] = section
    if problems:
        raise ConfigError(report(problems))
    return StackConfig.model_validate(sections)


def _section(model: type[Section], values: dict[str, Any]) -> tuple[Section | None, list[str]]:
    try:
        section = model.model_validate(values)
    except ValidationError as error:
        return None, [describe(model, item) for item in error.errors()]
    problems = _app_problems(section, values)
    return (None, problems) if problems else (section, [])


def _app_problems(section: Section, given: dict[str, Any]) -> list[str]:
    """The section's values checked by the fields of its role's app settings class, which
    alone hold rules such as the cron one: reported under the stack key, as any other.
    A value the stack set is checked as given (the CLI's string), a default as typed."""
    model = type(section)
    fields = model.app_fields()
    if model.APP is None or not fields:
        return []
    stack_field = {app: name for name, app in fields.items()}
    values = {**section.app_values()}
    values.update({app: given[name] for name, app in fields.items() if name in given})
    try:
        app_settings(model.APP, values)
    except ValidationError as error:
        return [
            describe(model, {**item, "loc": (stack_field[str(item["loc"][0])],)})
            for item in error.errors()
            if item["loc"] and str(item["loc"][0]) in stack_field
        ]
    return []


def _dashboard_on_this_host(
    values: dict[str, Any], project_root: Path
) -> tuple[Section | None, list[str]]:
    """The dashboard section, with its ticket tree checked on the host.

    A missing tree counts as a bad ``ticketsDir`` value: it is reported in the field's
    place, and the section's cross-field checks, which hold only for valid fields, are not.
    The tree's writability is checked last, once the section is valid and writable.
    """
    missing = None
    if TICKETS_DIR_FIELD in values:
        tree = resolve_tickets_dir(values[TICKETS_DIR_FIELD], project_root)
        values = {**values, TICKETS_DIR_FIELD: tree}
        missing = missing_tree_problem(tree, project_root)
    if missing is None:
        section, problems = _section(DashboardConfig, values)
        if isinstance(section, DashboardConfig) and not section.tickets_read_only:
            unwritable = unwritable_tree_problem(section.tickets_dir)
            if unwritable is not None:
                return None, [unwritable]
        return section, problems
    # As any bad field: in its place among the others, and the cross-field checks quiet.
    fields = list(DashboardConfig.model_fields)
    placed = [(fields.index(TICKETS_DIR_FIELD), missing)]
    try:
        DashboardConfig.model_validate(values)
    except ValidationError as error:
        placed += [
            (fields.index(str(item["loc"][0])), describe(DashboardConfig, item))
            for item in error.errors()
            if item["loc"]
        ]
    return None, [problem for _, problem in sorted(placed, key=lambda pair: pair[0])]


def _own_keys(config: Mapping[str, Any]) -> dict[str, str]:
    prefix = f"{CONFIG_NAMESPACE}:"
    return {
        key.removeprefix(prefix): _as_cli_string(key, value)
        for key, value in config.items()
        if key.startswith(prefix) and value is not None
    }


def _as_cli_string(key: str, value: Any) -> str:
    """A value as the Pulumi CLI passes it to a program."""
    if isinstance(value, Mapping) and "secure" in value:
        raise ConfigError(
            f"{key} is encrypted; only the Pulumi CLI can decrypt it. "
            "Outside `pulumi`, pass the plain value and list the key in secret_keys."
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list):
        return json.dumps(value)
    return str(value)
