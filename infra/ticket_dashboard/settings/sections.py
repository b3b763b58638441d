"""The stack's settings: every ``ticket-dashboard:*`` key, grouped into one section per concern.

Keys stay flat (``ticket-dashboard:backupSchedule``), as people type them with
``pulumi config set``; the model groups them into one section per concern, and each
component takes its own section (``config.backup``). The sections are plain pydantic
models: they neither read the host nor know the Pulumi runtime. ``loader.py`` reads a
stack's config, checks the host (``host_checks.py``) and reports every problem at once.
"""

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings

from ticket_dashboard.app_settings import BackupSettings, DashboardSettings, MonitorSettings
from ticket_dashboard.project import DEFAULT_BASE_IMAGE
from ticket_dashboard.settings.types import (
    Cpus,
    DockerLogSize,
    IpAddress,
    LogLevel,
    MemoryBytes,
    Percent,
    Port,
    PortRangeSetting,
    Release,
    RestartPolicy,
    Subnet,
    full_key,
    stack_setting,
)

MIN_API_TOKEN_LENGTH = 16


class Section(BaseModel):
    """A group of flat keys. Each field names its key in ``stack_setting``:
    ``BackupConfig.schedule`` is ``backupSchedule``, and, where the key is handed to a
    container, the one field of ``APP`` (the role's app settings class) it sets."""

    APP: ClassVar[type[BaseSettings] | None] = None

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @classmethod
    def key_of(cls, field_name: str) -> str:
        extra = cls.model_fields[field_name].json_schema_extra
        assert isinstance(extra, dict), f"{cls.__name__}.{field_name} is not a stack_setting"
        return str(extra["key"])

    @classmethod
    def app_fields(cls) -> dict[str, str]:
        """Field name -> the ``APP`` field it sets, for the fields handed to the container."""
        found = {}
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra
            if isinstance(extra, dict) and "app" in extra:
                found[name] = str(extra["app"])
        return found

    def app_values(self) -> dict[str, Any]:
        """What this section hands its role's app settings: ``{app field: value}``, secrets
        opened (the env renders them as secret Outputs), unset optional keys left out."""
        values = {}
        for name, app_field in self.app_fields().items():
            value = getattr(self, name)
            if value is not None:
                is_secret = isinstance(value, SecretStr)
                values[app_field] = value.get_secret_value() if is_secret else value
        return values

    @classmethod
    def config_keys(cls) -> dict[str, str]:
        """Config key -> field name."""
        return {cls.key_of(name): name for name in cls.model_fields}


class ImageConfig(Section):
    """The app image and its releases: each image the stack built is a release."""

    base_image: Annotated[str, Field(min_length=1)] = stack_setting(
        "baseImage",
        DEFAULT_BASE_IMAGE,
        kind="string",
        meaning="`BASE_IMAGE` build arg (bootstrap provides it where no registry answers)",
    )
    release: Release | None = stack_setting(
        "release",
        None,
        kind="release id (12 hex)",
        meaning="run this earlier release instead of the build of `app/`; "
        "set by `make rollback`, cleared by `make up`",
    )
    releases_kept: Annotated[int, Field(ge=1, le=50)] = stack_setting(
        "releasesKept",
        5,
        kind="int 1–50",
        meaning="releases kept for rollback; older images are pruned",
    )


class NetworkConfig(Section):
    host_port: Port | None = stack_setting(
        "hostPort", None, kind="int 1–65535", meaning="explicit host port; wins over `portRange`"
    )
    port_range: PortRangeSetting = stack_setting(
        "portRange",
        "3000-3004",
        kind="`start-end`",
        meaning="first free port is chosen; a port the stack already holds is kept",
    )
    bind_address: IpAddress = stack_setting(
        "bindAddress", "127.0.0.1", kind="IP", meaning="address the dashboard is published on"
    )
    subnet: Subnet = stack_setting(
        "subnet", kind="private IPv4 CIDR", meaning="bridge network subnet"
    )
    gateway: IpAddress | None = stack_setting(
        "gateway",
        None,
        kind="IP in subnet",
        meaning="bridge gateway (default: the subnet's first host)",
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
    """Every container's resource limits and restart policy (containers/hardened.py)."""

    memory_limit: MemoryBytes = stack_setting(
        "memoryLimit",
        "512Mi",
        kind="size (`512Mi`, `512m`, `1g`)",
        meaning="per container; swap equals it",
    )
    memory_reservation: MemoryBytes = stack_setting(
        "memoryReservation", "256Mi", kind="size ≤ memoryLimit", meaning="soft limit"
    )
    cpu_limit: Cpus = stack_setting("cpuLimit", 0.5, kind="CPUs", meaning="per container")
    cpu_reservation: Cpus = stack_setting(
        "cpuReservation", 0.25, kind="CPUs ≤ cpuLimit", meaning="becomes `cpu_shares` (×1024)"
    )
    pids_limit: Annotated[int, Field(ge=16, le=32768)] = stack_setting(
        "pidsLimit",
        256,
        kind="int 16–32768",
        meaning="per-container process and thread cap (`HostConfig.PidsLimit`, see notes)",
    )
    restart_policy: RestartPolicy = stack_setting(
        "restartPolicy",
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
    # The one key that reaches every role, so no single `app=` field: each role's settings
    # class has its own `log_level` (DASHBOARD_LOG_LEVEL, and DASHBOARD_MONITOR_LOG_LEVEL
    # under the monitor's prefix), and every component sets it from this value.
    level: LogLevel = stack_setting(
        "logLevel", "INFO", kind="DEBUG…CRITICAL", meaning="all containers"
    )
    max_size: DockerLogSize = stack_setting(
        "logMaxSize", "10m", kind="size like `10m`", meaning="json-file rotation"
    )
    max_files: Annotated[int, Field(ge=1, le=100)] = stack_setting(
        "logMaxFiles", 3, kind="int 1–100", meaning="json-file rotation"
    )


class DashboardConfig(Section):
    APP = DashboardSettings

    replicas: Annotated[int, Field(ge=1, le=8)] = stack_setting(
        "replicas",
        1,
        kind="int 1–8",
        meaning="dashboard containers behind the proxy; a release starts new ones beside "
        "them and removes the old ones once the new are healthy",
    )
    # Resolved against the project root and checked on the host by the loader
    # (host_checks.py), which hands this section the resolved path.
    tickets_dir: Path = stack_setting(
        "ticketsDir",
        kind="existing dir",
        meaning="bind-mounted at `/tickets`; unless `ticketsReadOnly`, its folders must be "
        "writable by uid or gid 1001 (checked before deploying)",
    )
    # The status change is the dashboard's one write: the tree is mounted writable unless
    # a stack asks for a read-only dashboard, which then refuses writes with a 403.
    tickets_read_only: bool = stack_setting(
        "ticketsReadOnly",
        False,
        kind="bool",
        meaning="mount the tree read-only; status changes answer 403",
        app="tickets_read_only",
    )
    organize_completed: bool = stack_setting(
        "organizeCompleted",
        False,
        kind="bool",
        meaning="move done/cancelled tickets to `completed/` (needs a writable tree)",
        app="organize_completed",
    )
    watch: bool = stack_setting(
        "watch", True, kind="bool", meaning="watch the tree for edits on the host", app="watch"
    )
    watch_polling: bool = stack_setting(
        "watchPolling",
        False,
        kind="bool",
        meaning="poll instead, for mounts without inotify",
        app="watch_polling",
    )
    require_api_token: bool = stack_setting(
        "requireApiToken", True, kind="bool", meaning="refuse to deploy without `apiToken`"
    )
    api_token: SecretStr | None = stack_setting(
        "apiToken",
        None,
        kind="secret, ≥ 16 chars",
        meaning="`pulumi config set --secret ticket-dashboard:apiToken`",
        app="api_token",
    )
    health_wait_timeout_seconds: Annotated[int, Field(ge=10, le=3600)] = stack_setting(
        "healthWaitTimeoutSeconds",
        120,
        kind="int 10–3600",
        meaning="how long `up` waits for healthy",
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
    def _organize_needs_a_writable_tree(self) -> "DashboardConfig":
        # Whether uid 1001 may write in the tree is the host's to say: host_checks.py.
        if self.organize_completed and self.tickets_read_only:
            raise ValueError(
                f"{full_key('organizeCompleted')} moves ticket files, so it needs a writable "
                f"tree: set {full_key('ticketsReadOnly')} to false or organizeCompleted to false"
            )
        return self


class StorageConfig(Section):
    # retain_on_delete on the data and backups volumes (components/storage.py).
    protect_data: bool = stack_setting(
        "protectData",
        True,
        kind="bool",
        meaning="keep the data and backups volumes when the stack is destroyed",
    )


class BackupConfig(Section):
    """The cron rule and the retention bound are the backup job's (BackupSettings): the
    loader checks these keys with its fields."""

    APP = BackupSettings

    schedule: str = stack_setting(
        "backupSchedule", "0 2 * * *", kind="cron", meaning="UTC", app="backup_schedule"
    )
    retention_days: int = stack_setting(
        "backupRetentionDays",
        30,
        kind="int 1–3650",
        meaning="archives older than this are deleted",
        app="backup_retention_days",
    )
    on_start: bool = stack_setting(
        "backupOnStart",
        False,
        kind="bool",
        meaning="back up when the sidecar starts",
        app="backup_on_start",
    )


class MonitorConfig(Section):
    """Its bounds are the stack's, narrower than the monitor's own (MonitorSettings takes
    any interval > 0 and a CPU threshold above 100 %): a stack deploys only what was tried."""

    APP = MonitorSettings

    interval_seconds: Annotated[int, Field(ge=5, le=3600)] = stack_setting(
        "monitorIntervalSeconds",
        60,
        kind="int 5–3600",
        meaning="seconds between checks of the dashboard",
        app="interval_seconds",
    )
    # Of the dashboard's CPU limit, which the monitor reads from its /api/metrics.
    cpu_threshold_percent: Percent = stack_setting(
        "monitorCpuThresholdPercent",
        80,
        kind="% of the dashboard's CPU limit",
        meaning="alert above it",
        app="cpu_threshold_percent",
    )
    memory_threshold_percent: Percent = stack_setting(
        "monitorMemoryThresholdPercent",
        80,
        kind="% of the memory limit",
        meaning="alert above it",
        app="memory_threshold_percent",
    )
    # The URL rule is the monitor's own (HttpUrlText, checked through app=): only kept
    # secret here, as it may carry credentials.
    webhook_url: SecretStr | None = stack_setting(
        "monitorWebhookUrl", None, kind="URL (secret)", meaning="alert webhook", app="webhook_url"
    )


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
        # pydantic types a field's annotation as any type form or None; each field here
        # is annotated with its Section class.
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
