"""The stack's settings: every ``ticket-dashboard:*`` key, parsed once into a typed model.

``load_stack_config`` reads the running Pulumi program's config; ``parse_stack_config``
reads a plain mapping (the ``config:`` block of a Pulumi.<stack>.yaml) the same way, so
tests check the real stack files. Both raise ``ConfigError`` naming every bad key and what
it expects, before the program declares a single resource.

Values are handled as the Pulumi CLI hands them to a program: as strings (``"3100"``,
``"true"``). Mappings from YAML are turned into those strings first, so a file value and a
``pulumi config set`` value validate identically.
"""

import difflib
import ipaddress
import json
import os
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import pulumi
import pulumi.runtime
from croniter import croniter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ticket_dashboard.ports import PortRange
from ticket_dashboard.project import CONFIG_NAMESPACE, PROJECT_ROOT
from ticket_dashboard.units import MEBIBYTE, parse_memory_bytes
from ticket_dashboard.workload import RUNTIME_GID, RUNTIME_UID

PUBLIC_BASE_IMAGE = "python:3.11-slim-bookworm"
MIN_API_TOKEN_LENGTH = 16
DOCKER_MIN_MEMORY = 6 * MEBIBYTE

SECRET_KEYS = frozenset({"apiToken", "monitorWebhookUrl"})
"""Keys whose values never appear in messages or plain resource inputs."""

MUST_BE_STORED_ENCRYPTED = frozenset({"apiToken"})
"""Keys refused when set without ``--secret``."""


class ConfigError(pulumi.RunError):
    """Stack configuration is invalid; the message lists each key and what it expects."""


def _full_key(key: str) -> str:
    return f"{CONFIG_NAMESPACE}:{key}"


# --- field types -----------------------------------------------------------------------


def _memory(value: Any) -> int:
    is_bytes = isinstance(value, int) and not isinstance(value, bool)
    size = value if is_bytes else parse_memory_bytes(str(value))
    # The provider takes whole MiB; refusing here beats a silent rounding later.
    if size < DOCKER_MIN_MEMORY or size % MEBIBYTE:
        raise ValueError(
            f"expected a whole number of MiB, at least 6Mi (Docker's minimum), got {value!r}"
        )
    return size


def _port_range(value: Any) -> PortRange:
    return value if isinstance(value, PortRange) else PortRange.parse(str(value))


def _subnet(value: Any) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as error:
        raise ValueError(
            f"expected an IPv4 CIDR like 172.20.0.0/16, got {value!r} ({error})"
        ) from None
    if not network.is_private or network.prefixlen > 29:
        raise ValueError(f"expected a private IPv4 subnet of /29 or larger, got {value!r}")
    return network


def _ip_address(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise ValueError(f"expected an IP address like 127.0.0.1, got {value!r}") from None


def _cron(value: str) -> str:
    # As the backup job accepts it: 5 fields or an @-alias. croniter would also take a
    # 6th (seconds) field, which reads like something else to anyone used to cron.
    classic = value.startswith("@") or len(value.split()) == 5
    if not (classic and croniter.is_valid(value)):
        raise ValueError(
            f"expected a 5-field cron expression like '0 2 * * *' or '@daily', got {value!r}"
        )
    return value


def _docker_log_size(value: str) -> str:
    # Passed to Docker unchanged (and read back unchanged), so only its own spelling.
    if not re.fullmatch(r"[1-9]\d*[kmg]", value):
        raise ValueError(f"expected a Docker log size like 10m, 500k or 1g, got {value!r}")
    return value


def _webhook(value: SecretStr) -> SecretStr:
    if not value.get_secret_value().startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return value


MemoryBytes = Annotated[int, BeforeValidator(_memory)]
PortRangeSetting = Annotated[PortRange, BeforeValidator(_port_range)]
Subnet = Annotated[ipaddress.IPv4Network, BeforeValidator(_subnet)]
IpAddress = Annotated[str, AfterValidator(_ip_address)]
CronExpression = Annotated[str, AfterValidator(_cron)]
DockerLogSize = Annotated[str, AfterValidator(_docker_log_size)]
Port = Annotated[int, Field(ge=1, le=65535)]
Percent = Annotated[float, Field(gt=0, le=100)]
Cpus = Annotated[float, Field(gt=0, le=64)]
RestartPolicy = Literal["no", "on-failure", "always", "unless-stopped"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


# --- the model -------------------------------------------------------------------------


class StackConfig(BaseModel):
    """One stack's settings. Field ``memory_limit`` is config key ``memoryLimit``."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, validate_default=True
    )

    base_image: Annotated[str, Field(min_length=1)] = PUBLIC_BASE_IMAGE
    host_port: Port | None = None
    port_range: PortRangeSetting = PortRange(3000, 3004)
    bind_address: IpAddress = "127.0.0.1"
    subnet: Subnet
    gateway: IpAddress | None = None
    memory_limit: MemoryBytes = 512 * MEBIBYTE
    memory_reservation: MemoryBytes = 256 * MEBIBYTE
    cpu_limit: Cpus = 0.5
    cpu_reservation: Cpus = 0.25
    pids_limit: Annotated[int, Field(ge=16, le=32768)] = 256
    restart_policy: RestartPolicy = "unless-stopped"
    log_max_size: DockerLogSize = "10m"
    log_max_files: Annotated[int, Field(ge=1, le=100)] = 3
    tickets_dir: Path
    # The status change is the dashboard's one write: the tree is mounted writable unless
    # a stack asks for a read-only dashboard, which then refuses writes with a 403.
    tickets_read_only: bool = False
    organize_completed: bool = False
    watch: bool = True
    watch_polling: bool = False
    log_level: LogLevel = "INFO"
    backup_schedule: CronExpression = "0 2 * * *"
    backup_retention_days: Annotated[int, Field(ge=1, le=3650)] = 30
    backup_on_start: bool = False
    monitor_interval_seconds: Annotated[int, Field(ge=5, le=3600)] = 60
    # Of the dashboard's CPU limit, which the monitor reads from its /api/metrics.
    monitor_cpu_threshold_percent: Percent = 80
    monitor_memory_threshold_percent: Percent = 80
    monitor_webhook_url: Annotated[SecretStr, AfterValidator(_webhook)] | None = None
    # Declared before api_token: the token's validator reads it.
    require_api_token: bool = True
    api_token: SecretStr | None = None
    health_wait_timeout_seconds: Annotated[int, Field(ge=10, le=3600)] = 120
    # Keep the data and backups volumes when the stack is destroyed (retain_on_delete).
    protect_data: bool = True

    @model_validator(mode="after")
    def _writes_need_a_writable_tree(self) -> "StackConfig":
        # A model validator: it sees every field, whatever their declaration order.
        if self.organize_completed and self.tickets_read_only:
            raise ValueError(
                f"{_full_key('organizeCompleted')} moves ticket files, so it needs a writable "
                f"tree: set {_full_key('ticketsReadOnly')} to false or organizeCompleted to false"
            )
        if not self.tickets_read_only:
            _require_writable_by_runtime_user(self.tickets_dir)
        return self

    @field_validator("tickets_dir", mode="after")
    @classmethod
    def _existing_tickets_dir(cls, value: Path, info: ValidationInfo) -> Path:
        root = Path((info.context or {}).get("project_root", PROJECT_ROOT))
        resolved = (root / value.expanduser()).resolve()
        if not resolved.is_dir():
            raise ValueError(
                f"expected an existing directory of tickets on the Docker host, "
                f"{str(resolved)!r} is not one (relative paths resolve against {root})"
            )
        return resolved

    @field_validator("api_token", mode="after")
    @classmethod
    def _usable_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None and info.data.get("require_api_token", True):
            raise ValueError(
                f"required while {_full_key('requireApiToken')} is true (its default): "
                f"run `pulumi config set --secret {_full_key('apiToken')}`"
            )
        if value is not None and len(value.get_secret_value()) < MIN_API_TOKEN_LENGTH:
            raise ValueError(f"expected at least {MIN_API_TOKEN_LENGTH} characters")
        return value

    # Cross-field checks sit on the later field (declaration order) so each error names it.
    @field_validator("gateway", mode="after")
    @classmethod
    def _gateway_in_subnet(cls, value: str | None, info: ValidationInfo) -> str | None:
        subnet = info.data.get("subnet")
        if value is None or subnet is None:
            return value
        gateway = ipaddress.ip_address(value)
        if gateway not in subnet or gateway in (subnet.network_address, subnet.broadcast_address):
            raise ValueError(f"expected a host address of subnet {subnet}, got {value!r}")
        return value

    @field_validator("memory_reservation", "cpu_reservation", mode="after")
    @classmethod
    def _reservation_within_limit(cls, value: float, info: ValidationInfo) -> float:
        limit_field = info.field_name.replace("reservation", "limit") if info.field_name else ""
        limit = info.data.get(limit_field)
        if limit is not None and value > limit:
            raise ValueError(f"must not exceed {_full_key(to_camel(limit_field))} ({limit})")
        return value

    @property
    def gateway_address(self) -> str:
        """The bridge gateway: as configured, else the subnet's first host."""
        return self.gateway or str(next(self.subnet.hosts()))

    def api_token_secret(self) -> pulumi.Output[str] | None:
        """The token as a secret Output, the only form in which it leaves this model."""
        return _secret_output(self.api_token)

    def monitor_webhook_secret(self) -> pulumi.Output[str] | None:
        return _secret_output(self.monitor_webhook_url)


def _require_writable_by_runtime_user(tree: Path) -> None:
    """Status changes write a temp file beside the ticket and rename it, so every folder
    of the tree must let the container's uid create files. Checked by mode bits (ACLs are
    not read), before anything is deployed, instead of a failed write on the first click."""
    planning = tree / "planning"
    folders = [tree] if not planning.is_dir() else [planning, *_folders_under(planning)]
    closed = [folder for folder in folders if not _uid_may_write(folder.stat())]
    if closed:
        shown = ", ".join(str(f) for f in closed[:3]) + (" ..." if len(closed) > 3 else "")
        raise ValueError(
            f"{_full_key('ticketsDir')}: uid {RUNTIME_UID}, which the dashboard runs as, cannot "
            f"write in {shown}; run `chgrp -R {RUNTIME_GID} {tree} && chmod -R g+rwX {tree}` "
            f"(or chown -R {RUNTIME_UID}), or set {_full_key('ticketsReadOnly')} true"
        )


def _folders_under(root: Path) -> list[Path]:
    return [Path(parent) / name for parent, names, _ in os.walk(root) for name in names]


def _uid_may_write(status: os.stat_result) -> bool:
    if status.st_uid == RUNTIME_UID:
        return status.st_mode & 0o300 == 0o300
    if status.st_gid == RUNTIME_GID:
        return status.st_mode & 0o030 == 0o030
    return status.st_mode & 0o003 == 0o003


def _secret_output(value: SecretStr | None) -> pulumi.Output[str] | None:
    # Same as pulumi.Config.get_secret: the plain value wrapped as a secret, so the engine
    # encrypts it in state and masks it in every plan and log.
    return None if value is None else pulumi.Output.secret(value.get_secret_value())


# --- loading ---------------------------------------------------------------------------

KNOWN_KEYS = frozenset(field.alias or name for name, field in StackConfig.model_fields.items())


def load_stack_config(project_root: Path = PROJECT_ROOT) -> StackConfig:
    """The running program's stack config, validated."""
    prefix = f"{CONFIG_NAMESPACE}:"
    values = {key: value for key, value in _runtime_config().items() if key.startswith(prefix)}
    secret_keys = {key for key in values if _is_runtime_secret(key)}
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
    problems = [*_unknown_key_problems(raw), *_plaintext_secret_problems(raw, secret_keys)]
    known = {key: value for key, value in raw.items() if key in KNOWN_KEYS}
    try:
        stack_config = StackConfig.model_validate(known, context={"project_root": project_root})
    except ValidationError as error:
        problems.extend(_describe(item) for item in error.errors())
    if problems:
        raise ConfigError(_report(problems))
    return stack_config


def _runtime_config() -> dict[str, Any]:
    # Explicitly set config (tests, automation) wins over the JSON bag the CLI exports.
    merged = dict(pulumi.runtime.get_config_env())
    merged.update(pulumi.runtime.config.CONFIG.get())
    return merged


def _is_runtime_secret(key: str) -> bool:
    return (
        pulumi.runtime.is_config_secret(key) or key in pulumi.runtime.get_config_secret_keys_env()
    )


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


def _unknown_key_problems(raw: Mapping[str, str]) -> Iterable[str]:
    for key in sorted(raw.keys() - KNOWN_KEYS):
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
        hint = f"did you mean {_full_key(close[0])}?" if close else "see the README's table"
        yield f"{_full_key(key)}: unknown key ({hint})"


def _plaintext_secret_problems(
    raw: Mapping[str, str], secret_keys: Collection[str]
) -> Iterable[str]:
    for key in sorted(MUST_BE_STORED_ENCRYPTED & raw.keys()):
        if _full_key(key) not in secret_keys:
            yield (
                f"{_full_key(key)} is stored in plain text; remove it and run "
                f"`pulumi config set --secret {_full_key(key)}`"
            )


def _describe(error: Mapping[str, Any]) -> str:
    key = str(error["loc"][0]) if error["loc"] else None
    if key is None:  # a whole-model check: its message names the keys itself
        return str(error["msg"]).removeprefix("Value error, ")
    key = to_camel(key)  # fields validated from defaults report their Python name
    if error["type"] == "missing":
        return f"{_full_key(key)}: required; set it with `pulumi config set {_full_key(key)} ...`"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] != "value_error" and key not in SECRET_KEYS:
        message = f"{message} (got {error['input']!r})"
    return f"{_full_key(key)}: {message}"


def _report(problems: Iterable[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"invalid stack configuration; nothing was deployed:\n{lines}"
