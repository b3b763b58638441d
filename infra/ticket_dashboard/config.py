"""The stack's settings: every ``ticket-dashboard:*`` key, parsed once into a typed model.

Keys stay flat (``ticket-dashboard:backupSchedule``), as people type them with
``pulumi config set``; the model groups them into one section per concern, and each
component takes its own section (``config.backup``). ``load_stack_config`` reads the
running program's config; ``parse_stack_config`` reads a plain mapping (the ``config:``
block of a Pulumi.<stack>.yaml) the same way, so tests check the real stack files. Both
raise ``ConfigError`` naming every bad key and what it expects, before the program
declares a single resource.

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
from typing import Annotated, Any, ClassVar, Literal

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
    model_validator,
)
from pydantic.alias_generators import to_camel

from ticket_dashboard.ports import PortRange
from ticket_dashboard.project import CONFIG_NAMESPACE, DEFAULT_BASE_IMAGE, PROJECT_ROOT
from ticket_dashboard.units import MEBIBYTE, parse_memory_bytes
from ticket_dashboard.workload import RUNTIME_GID, RUNTIME_UID

MIN_API_TOKEN_LENGTH = 16
DOCKER_MIN_MEMORY = 6 * MEBIBYTE

SECRET_KEYS = frozenset({"apiToken", "monitorWebhookUrl"})
"""Keys whose values never appear in messages or plain resource inputs."""

MUST_BE_STORED_ENCRYPTED = frozenset({"apiToken"})
"""Keys refused when set without ``--secret``."""


class ConfigError(pulumi.RunError):
    """Stack configuration is invalid; the message lists each key and what it expects."""


def full_key(key: str) -> str:
    return f"{CONFIG_NAMESPACE}:{key}"


def setting(default: Any = ..., *, kind: str, meaning: str = "") -> Any:
    """A field with what the README's table shows for it (see config_table.py)."""
    return Field(default, description=meaning, json_schema_extra={"kind": kind})


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


def _existing_dir(value: Path, info: ValidationInfo) -> Path:
    root = Path((info.context or {}).get("project_root", PROJECT_ROOT))
    resolved = (root / value.expanduser()).resolve()
    if not resolved.is_dir():
        raise ValueError(
            f"expected an existing directory of tickets on the Docker host, "
            f"{str(resolved)!r} is not one (relative paths resolve against {root})"
        )
    return resolved


def _release(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{12}", value):
        raise ValueError(
            f"expected a release id (12 hex digits, as `make releases` lists), got {value!r}"
        )
    return value


MemoryBytes = Annotated[int, BeforeValidator(_memory)]
PortRangeSetting = Annotated[PortRange, BeforeValidator(_port_range)]
Subnet = Annotated[ipaddress.IPv4Network, BeforeValidator(_subnet)]
IpAddress = Annotated[str, AfterValidator(_ip_address)]
CronExpression = Annotated[str, AfterValidator(_cron)]
DockerLogSize = Annotated[str, AfterValidator(_docker_log_size)]
TicketsDir = Annotated[Path, AfterValidator(_existing_dir)]
WebhookUrl = Annotated[SecretStr, AfterValidator(_webhook)]
Release = Annotated[str, AfterValidator(_release)]
Port = Annotated[int, Field(ge=1, le=65535)]
Percent = Annotated[float, Field(gt=0, le=100)]
Cpus = Annotated[float, Field(gt=0, le=64)]
RestartPolicy = Literal["no", "on-failure", "always", "unless-stopped"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


# --- the sections ----------------------------------------------------------------------


class Section(BaseModel):
    """A group of flat keys. ``KEY_PREFIX`` + field name, camel-cased, is the config key:
    ``BackupConfig.schedule`` is ``backupSchedule``."""

    KEY_PREFIX: ClassVar[str] = ""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @classmethod
    def key_of(cls, field_name: str) -> str:
        return to_camel(f"{cls.KEY_PREFIX}{field_name}")

    @classmethod
    def config_keys(cls) -> dict[str, str]:
        """Config key -> field name."""
        return {cls.key_of(name): name for name in cls.model_fields}


class ImageConfig(Section):
    """The app image and its releases: each image the stack built is a release."""

    base_image: Annotated[str, Field(min_length=1)] = setting(
        DEFAULT_BASE_IMAGE,
        kind="string",
        meaning="`BASE_IMAGE` build arg (bootstrap provides it where no registry answers)",
    )
    release: Release | None = setting(
        None,
        kind="release id (12 hex)",
        meaning="run this earlier release instead of the build of `app/`; "
        "set by `make rollback`, cleared by `make up`",
    )
    releases_kept: Annotated[int, Field(ge=1, le=50)] = setting(
        5, kind="int 1–50", meaning="releases kept for rollback; older images are pruned"
    )


class NetworkConfig(Section):
    host_port: Port | None = setting(
        None, kind="int 1–65535", meaning="explicit host port; wins over `portRange`"
    )
    port_range: PortRangeSetting = setting(
        "3000-3004",
        kind="`start-end`",
        meaning="first free port is chosen; a port the stack already holds is kept",
    )
    bind_address: IpAddress = setting(
        "127.0.0.1", kind="IP", meaning="address the dashboard is published on"
    )
    subnet: Subnet = setting(kind="private IPv4 CIDR", meaning="bridge network subnet")
    gateway: IpAddress | None = setting(
        None, kind="IP in subnet", meaning="bridge gateway (default: the subnet's first host)"
    )

    @model_validator(mode="after")
    def _gateway_in_subnet(self) -> "NetworkConfig":
        if self.gateway is None:
            return self
        gateway = ipaddress.ip_address(self.gateway)
        if gateway not in self.subnet or gateway in (
            self.subnet.network_address,
            self.subnet.broadcast_address,
        ):
            raise ValueError(
                f"{full_key('gateway')}: expected a host address of subnet {self.subnet}, "
                f"got {self.gateway!r}"
            )
        return self

    @property
    def gateway_address(self) -> str:
        """The bridge gateway: as configured, else the subnet's first host."""
        return self.gateway or str(next(self.subnet.hosts()))


class LimitsConfig(Section):
    """Every container's resource limits and restart policy (container_baseline.py)."""

    memory_limit: MemoryBytes = setting(
        "512Mi", kind="size (`512Mi`, `512m`, `1g`)", meaning="per container; swap equals it"
    )
    memory_reservation: MemoryBytes = setting(
        "256Mi", kind="size ≤ memoryLimit", meaning="soft limit"
    )
    cpu_limit: Cpus = setting(0.5, kind="CPUs", meaning="per container")
    cpu_reservation: Cpus = setting(
        0.25, kind="CPUs ≤ cpuLimit", meaning="becomes `cpu_shares` (×1024)"
    )
    pids_limit: Annotated[int, Field(ge=16, le=32768)] = setting(
        256,
        kind="int 16–32768",
        meaning="per-container process and thread cap (`HostConfig.PidsLimit`, see notes)",
    )
    restart_policy: RestartPolicy = setting(
        "unless-stopped",
        kind="`no`/`on-failure`/`always`/`unless-stopped`",
        meaning="what Docker does when a container exits",
    )

    @model_validator(mode="after")
    def _reservations_within_limits(self) -> "LimitsConfig":
        for reservation, limit in (
            ("memory_reservation", "memory_limit"),
            ("cpu_reservation", "cpu_limit"),
        ):
            if getattr(self, reservation) > getattr(self, limit):
                raise ValueError(
                    f"{full_key(self.key_of(reservation))}: must not exceed "
                    f"{full_key(self.key_of(limit))} ({getattr(self, limit)})"
                )
        return self


class LoggingConfig(Section):
    KEY_PREFIX = "log_"

    level: LogLevel = setting("INFO", kind="DEBUG…CRITICAL", meaning="all containers")
    max_size: DockerLogSize = setting("10m", kind="size like `10m`", meaning="json-file rotation")
    max_files: Annotated[int, Field(ge=1, le=100)] = setting(
        3, kind="int 1–100", meaning="json-file rotation"
    )


class DashboardConfig(Section):
    replicas: Annotated[int, Field(ge=1, le=8)] = setting(
        1,
        kind="int 1–8",
        meaning="dashboard containers behind the proxy; a release starts new ones beside "
        "them and removes the old ones once the new are healthy",
    )
    tickets_dir: TicketsDir = setting(
        kind="existing dir",
        meaning="bind-mounted at `/tickets`; unless `ticketsReadOnly`, its folders must be "
        "writable by uid or gid 1001 (checked before deploying)",
    )
    # The status change is the dashboard's one write: the tree is mounted writable unless
    # a stack asks for a read-only dashboard, which then refuses writes with a 403.
    tickets_read_only: bool = setting(
        False, kind="bool", meaning="mount the tree read-only; status changes answer 403"
    )
    organize_completed: bool = setting(
        False,
        kind="bool",
        meaning="move done/cancelled tickets to `completed/` (needs a writable tree)",
    )
    watch: bool = setting(True, kind="bool", meaning="watch the tree for edits on the host")
    watch_polling: bool = setting(
        False, kind="bool", meaning="poll instead, for mounts without inotify"
    )
    require_api_token: bool = setting(
        True, kind="bool", meaning="refuse to deploy without `apiToken`"
    )
    api_token: SecretStr | None = setting(
        None,
        kind="secret, ≥ 16 chars",
        meaning="`pulumi config set --secret ticket-dashboard:apiToken`",
    )
    health_wait_timeout_seconds: Annotated[int, Field(ge=10, le=3600)] = setting(
        120, kind="int 10–3600", meaning="how long `up` waits for healthy"
    )

    # Model validators see every field whatever the declaration order, and name the keys.
    @model_validator(mode="after")
    def _usable_token(self) -> "DashboardConfig":
        if self.api_token is None and self.require_api_token:
            raise ValueError(
                f"{full_key('apiToken')}: required while {full_key('requireApiToken')} is "
                f"true (its default): run `pulumi config set --secret {full_key('apiToken')}`"
            )
        if (
            self.api_token is not None
            and len(self.api_token.get_secret_value()) < MIN_API_TOKEN_LENGTH
        ):
            raise ValueError(
                f"{full_key('apiToken')}: expected at least {MIN_API_TOKEN_LENGTH} characters"
            )
        return self

    @model_validator(mode="after")
    def _writes_need_a_writable_tree(self) -> "DashboardConfig":
        if self.organize_completed and self.tickets_read_only:
            raise ValueError(
                f"{full_key('organizeCompleted')} moves ticket files, so it needs a writable "
                f"tree: set {full_key('ticketsReadOnly')} to false or organizeCompleted to false"
            )
        if not self.tickets_read_only:
            _require_writable_by_runtime_user(self.tickets_dir)
        return self

    def api_token_secret(self) -> pulumi.Output[str] | None:
        """The token as a secret Output, the only form in which it leaves this model."""
        return _secret_output(self.api_token)


class StorageConfig(Section):
    # retain_on_delete on the data and backups volumes (storage.py).
    protect_data: bool = setting(
        True, kind="bool", meaning="keep the data and backups volumes when the stack is destroyed"
    )


class BackupConfig(Section):
    KEY_PREFIX = "backup_"

    schedule: CronExpression = setting("0 2 * * *", kind="cron", meaning="UTC")
    retention_days: Annotated[int, Field(ge=1, le=3650)] = setting(
        30, kind="int 1–3650", meaning="archives older than this are deleted"
    )
    on_start: bool = setting(False, kind="bool", meaning="back up when the sidecar starts")


class MonitorConfig(Section):
    KEY_PREFIX = "monitor_"

    interval_seconds: Annotated[int, Field(ge=5, le=3600)] = setting(
        60, kind="int 5–3600", meaning="seconds between checks of the dashboard"
    )
    # Of the dashboard's CPU limit, which the monitor reads from its /api/metrics.
    cpu_threshold_percent: Percent = setting(
        80, kind="% of the dashboard's CPU limit", meaning="alert above it"
    )
    memory_threshold_percent: Percent = setting(
        80, kind="% of the memory limit", meaning="alert above it"
    )
    webhook_url: WebhookUrl | None = setting(None, kind="URL (secret)", meaning="alert webhook")

    def webhook_secret(self) -> pulumi.Output[str] | None:
        return _secret_output(self.webhook_url)


class StackConfig(BaseModel):
    """One stack's settings, one section per concern; each section lists its keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    image: ImageConfig
    network: NetworkConfig
    limits: LimitsConfig
    logging: LoggingConfig
    dashboard: DashboardConfig
    storage: StorageConfig
    backup: BackupConfig
    monitor: MonitorConfig

    @classmethod
    def sections(cls) -> dict[str, type[Section]]:
        return {name: field.annotation for name, field in cls.model_fields.items()}  # type: ignore[misc]

    @model_validator(mode="before")
    @classmethod
    def _group_flat_keys(cls, flat: Any) -> Any:
        """``{"backupSchedule": ...}`` -> ``{"backup": {"schedule": ...}}``."""
        if not isinstance(flat, Mapping) or not set(flat) <= KNOWN_KEYS:
            return flat
        return {
            section: {name: flat[key] for key, name in model.config_keys().items() if key in flat}
            for section, model in cls.sections().items()
        }


KNOWN_KEYS = frozenset(
    key for model in StackConfig.sections().values() for key in model.config_keys()
)
"""Every ``ticket-dashboard:*`` key a stack may set."""


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
            f"{full_key('ticketsDir')}: uid {RUNTIME_UID}, which the dashboard runs as, cannot "
            f"write in {shown}; run `chgrp -R {RUNTIME_GID} {tree} && chmod -R g+rwX {tree}` "
            f"(or chown -R {RUNTIME_UID}), or set {full_key('ticketsReadOnly')} true"
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
    problems = [*_unknown_key_problems(raw), *_plaintext_secret_problems(raw, secret_keys)]
    known = {key: value for key, value in raw.items() if key in KNOWN_KEYS}
    try:
        stack_config = StackConfig.model_validate(known, context={"project_root": project_root})
    except ValidationError as error:
        problems.extend(_describe(item) for item in error.errors())
    if problems:
        raise ConfigError(_report(problems))
    return stack_config


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
        hint = f"did you mean {full_key(close[0])}?" if close else "see the README's table"
        yield f"{full_key(key)}: unknown key ({hint})"


def _plaintext_secret_problems(
    raw: Mapping[str, str], secret_keys: Collection[str]
) -> Iterable[str]:
    for key in sorted(MUST_BE_STORED_ENCRYPTED & raw.keys()):
        if full_key(key) not in secret_keys:
            yield (
                f"{full_key(key)} is stored in plain text; remove it and run "
                f"`pulumi config set --secret {full_key(key)}`"
            )


def _describe(error: Mapping[str, Any]) -> str:
    loc = error["loc"]
    message = str(error["msg"]).removeprefix("Value error, ")
    if len(loc) < 2:  # a section's cross-field check: its message names the keys itself
        return message
    key = StackConfig.sections()[str(loc[0])].key_of(str(loc[1]))
    if error["type"] == "missing":
        return f"{full_key(key)}: required; set it with `pulumi config set {full_key(key)} ...`"
    if error["type"] != "value_error" and key not in SECRET_KEYS:
        message = f"{message} (got {error['input']!r})"
    return f"{full_key(key)}: {message}"


def _report(problems: Iterable[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"invalid stack configuration; nothing was deployed:\n{lines}"
