"""The monitor sidecar: watches the service and each replica over the stack network.

It mounts only the small monitor volume, where it keeps the heartbeat file that its
health check reads and the dashboard shows (the dashboard mounts it read-only).
"""

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from ticket_dashboard import workload
from ticket_dashboard.containers.hardened import SharedInputs, hardened_container
from ticket_dashboard.containers.health_check import HealthCheck
from ticket_dashboard.naming import MONITOR
from ticket_dashboard.settings.loader import secret_output
from ticket_dashboard.settings.sections import MonitorConfig

MONITOR_TYPE = "ticket-dashboard:index:Monitor"
STALE_AFTER_ROUNDS = 3
"""A heartbeat older than this many intervals means the monitor loop is stuck."""


@dataclass(frozen=True)
class MonitorArgs:
    shared: SharedInputs
    target_url: pulumi.Input[str]
    """The service, through the proxy."""
    replica_urls: pulumi.Input[list[str]]
    """Each dashboard replica by name, so one that is down shows while the service is up."""
    settings: MonitorConfig
    """Its section of the stack config; the webhook URL (often with a credential in it)
    leaves it only as a secret Output."""
    status_volume: pulumi.Input[str]


class Monitor(pulumi.ComponentResource):
    """Runs ``python -m dashboard.monitor`` against the proxy and every replica."""

    container_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: MonitorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(MONITOR_TYPE, name, None, opts)
        container = hardened_container(
            self,
            name,
            args.shared,
            role=MONITOR,
            command=workload.MONITOR_COMMAND,
            envs=_environment(args),
            mounts=[
                docker.ContainerMountArgs(
                    target=workload.MONITOR_STATUS_PATH,
                    type="volume",
                    source=args.status_volume,
                    read_only=False,
                )
            ],
            health_check=heartbeat_check(args.settings),
        )
        self.container_name = container.name
        self.register_outputs({"container_name": self.container_name})


def heartbeat_check(settings: MonitorConfig) -> HealthCheck:
    """Healthy while the heartbeat file is younger than a few monitor intervals."""
    max_age = STALE_AFTER_ROUNDS * settings.interval_seconds
    return HealthCheck(
        test=(
            *workload.HEALTHCHECK_COMMAND,
            "--file",
            workload.MONITOR_HEARTBEAT_FILE,
            "--max-age",
            str(max_age),
        ),
        interval_seconds=30,
        # The first heartbeat can take one full interval.
        start_period_seconds=settings.interval_seconds + 30,
    )


def _environment(args: MonitorArgs) -> list[pulumi.Input[str]]:
    settings = args.settings
    plain = workload.env_list(
        {
            workload.ENV_MONITOR_LOG_LEVEL: args.shared.log_level,
            workload.ENV_MONITOR_INTERVAL_SECONDS: str(settings.interval_seconds),
            workload.ENV_MONITOR_CPU_THRESHOLD: _number(settings.cpu_threshold_percent),
            workload.ENV_MONITOR_MEMORY_THRESHOLD: _number(settings.memory_threshold_percent),
            workload.ENV_MONITOR_HEARTBEAT_FILE: workload.MONITOR_HEARTBEAT_FILE,
        }
    )
    target = pulumi.Output.from_input(args.target_url).apply(
        lambda url: f"{workload.ENV_MONITOR_TARGET_URL}={url}"
    )
    replicas = pulumi.Output.from_input(args.replica_urls).apply(
        lambda urls: f"{workload.ENV_MONITOR_REPLICA_URLS}={','.join(urls)}"
    )
    entries: list[pulumi.Input[str]] = [*plain, target, replicas]
    webhook = secret_output(settings.webhook_url)
    if webhook is not None:
        entries.append(workload.secret_env(workload.ENV_MONITOR_WEBHOOK_URL, webhook))
    return entries


def _number(value: float) -> str:
    """80.0 -> "80", 82.5 -> "82.5": what a person would have written."""
    return f"{value:g}"
