"""The monitor sidecar: watches the service and each replica over the stack network.

It mounts only the small monitor volume, where it keeps the heartbeat file that its
health check reads and the dashboard shows (the dashboard mounts it read-only).
"""

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_docker as docker

from ticket_dashboard import workload
from ticket_dashboard.containers.hardened import SharedInputs, hardened_container
from ticket_dashboard.containers.health_check import HealthCheck
from ticket_dashboard.naming import MONITOR
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


def app_settings(
    args: MonitorArgs, target_url: str, replica_urls: list[str]
) -> workload.MonitorSettings:
    """What the monitor reads: its section of the stack config, its volume, and the URLs of
    the service and of the current replicas (known once those containers are)."""
    return workload.app_settings(
        workload.MonitorSettings,
        {
            "log_level": args.shared.log_level,
            "heartbeat_file": workload.MONITOR_HEARTBEAT_FILE,
            "target_url": target_url,
            "replica_urls": tuple(replica_urls),
            **args.settings.app_values(),
        },
    )


def _environment(args: MonitorArgs) -> pulumi.Output[list[str]]:
    def render(urls: list[Any]) -> pulumi.Output[list[str]]:
        entries = workload.environment(
            app_settings(args, urls[0], urls[1]), last=("target_url", "replica_urls")
        )
        return pulumi.Output.all(*entries)

    return pulumi.Output.all(args.target_url, args.replica_urls).apply(render)
