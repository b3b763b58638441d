"""The dashboard web servers: replicas behind the proxy, released create-first."""

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from ticket_dashboard import workload
from ticket_dashboard.components.storage import AppStorage
from ticket_dashboard.containers.hardened import SharedInputs, hardened_container
from ticket_dashboard.containers.health_check import HealthCheck
from ticket_dashboard.containers.replicas import Replica
from ticket_dashboard.dynamic.health_gate import HealthGate
from ticket_dashboard.naming import DASHBOARD
from ticket_dashboard.releases import release_id
from ticket_dashboard.settings.sections import DashboardConfig

DASHBOARD_TYPE = "ticket-dashboard:index:Dashboard"

# The image's probe: GET /health on DASHBOARD_PORT. Declared here as well as in the
# Dockerfile so the policy pack can see it and wait=True has something to wait for.
# Docker 20.10 has no start-interval, so the first probe comes one interval after start:
# 3 s brings a restarted dashboard to "healthy" within about 4 s (/health answers from the
# first second), and 3 failures in a row (9 s) before "unhealthy" keep it from flapping.
DRAIN_SECONDS = 3
"""After SIGTERM a replica answers /ready with 503 and goes on serving this long, so the
proxy (2 failed checks 0.5 s apart) stops sending it requests before it stops."""

STOP_TIMEOUT_SECONDS = DRAIN_SECONDS + 10
"""Drain, then gunicorn's graceful stop (5 s), with room to spare before SIGKILL."""

HEALTH_CHECK = HealthCheck(
    test=workload.HEALTHCHECK_COMMAND,
    interval_seconds=3,
    start_period_seconds=20,
    timeout_seconds=3,
)


@dataclass(frozen=True)
class DashboardArgs:
    shared: SharedInputs
    storage: AppStorage
    settings: DashboardConfig
    """Its section of the stack config; the API token leaves it only as a secret Output."""


class Dashboard(pulumi.ComponentResource):
    """``settings.replicas`` dashboard containers; up waits until each is healthy.

    A release (a new image, or any other change to a replica) creates the new replicas
    beside the old ones, waits until they are healthy, and only then deletes the old
    ones, which drain first (see DRAIN_SECONDS): the proxy in front never runs dry.
    """

    replica_names: pulumi.Output[list[str]]
    replica_urls: pulumi.Output[list[str]]
    release: pulumi.Output[str]

    def __init__(
        self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(DASHBOARD_TYPE, name, None, opts)
        self.release = pulumi.Output.from_input(args.shared.image).apply(release_id)
        containers = [
            self._replica(name, args, index) for index in range(1, args.settings.replicas + 1)
        ]
        self.replica_names = pulumi.Output.all(*(c.name for c in containers))
        # Peers on the stack network reach each replica by its container name.
        self.replica_urls = self.replica_names.apply(
            lambda names: [f"http://{n}:{workload.CONTAINER_PORT}" for n in names]
        )
        self.register_outputs(
            {
                "replica_names": self.replica_names,
                "replica_urls": self.replica_urls,
                "release": self.release,
            }
        )

    def _replica(self, name: str, args: DashboardArgs, index: int) -> docker.Container:
        container = hardened_container(
            self,
            f"{name}-{index}",
            args.shared,
            role=DASHBOARD,
            replica=Replica(index=index, release=self.release),
            command=workload.DASHBOARD_COMMAND,
            envs=_environment(args),
            mounts=_mounts(args.storage, args.settings),
            health_check=HEALTH_CHECK,
            # The gate below waits instead of the provider: it says why a replica failed.
            wait=False,
            # docker stop's SIGTERM starts the drain; the engine kills at this bound.
            stop_timeout=STOP_TIMEOUT_SECONDS,
            destroy_grace_seconds=STOP_TIMEOUT_SECONDS,
        )
        # Replaced replicas are deleted at the end of an update, after every gate passed.
        HealthGate(
            f"{name}-{index}-healthy",
            container.id,
            args.settings.health_wait_timeout_seconds,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return container


def app_settings(args: DashboardArgs) -> workload.DashboardSettings:
    """What each replica reads: its section of the stack config, the mounts, the port."""
    return workload.app_settings(
        workload.DashboardSettings,
        {
            "port": workload.CONTAINER_PORT,
            "tickets_dir": workload.TICKETS_PATH,
            "data_dir": workload.DATA_PATH,
            "backup_dir": workload.BACKUPS_PATH,
            "monitor_heartbeat_file": workload.MONITOR_HEARTBEAT_FILE,
            "log_level": args.shared.log_level,
            "drain_seconds": DRAIN_SECONDS,
            **args.settings.app_values(),
        },
    )


def _environment(args: DashboardArgs) -> list[pulumi.Input[str]]:
    return workload.environment(app_settings(args))


def _mounts(storage: AppStorage, settings: DashboardConfig) -> list[docker.ContainerMountArgs]:
    return [
        docker.ContainerMountArgs(
            target=workload.TICKETS_PATH,
            type="bind",
            source=str(storage.tickets_dir),
            # Writable: status changes rewrite ticket files (and organize moves them).
            read_only=settings.tickets_read_only,
        ),
        docker.ContainerMountArgs(
            target=workload.DATA_PATH, type="volume", source=storage.data_volume, read_only=False
        ),
        # Only to show what the backup job last reported (backup-status.json).
        docker.ContainerMountArgs(
            target=workload.BACKUPS_PATH,
            type="volume",
            source=storage.backups_volume,
            read_only=True,
        ),
        # Only to show the monitor's last heartbeat in /api/status.
        docker.ContainerMountArgs(
            target=workload.MONITOR_STATUS_PATH,
            type="volume",
            source=storage.monitor_volume,
            read_only=True,
        ),
    ]
