"""The dashboard web server: the only container with a published port."""

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from ticket_dashboard import workload as app
from ticket_dashboard.config import DashboardConfig
from ticket_dashboard.container_baseline import HealthCheck, SharedInputs, hardened_container
from ticket_dashboard.naming import DASHBOARD
from ticket_dashboard.storage import AppStorage

DASHBOARD_TYPE = "ticket-dashboard:index:Dashboard"

# The image's probe: GET /health on DASHBOARD_PORT. Declared here as well as in the
# Dockerfile so the policy pack can see it and wait=True has something to wait for.
# Docker 20.10 has no start-interval, so the first probe comes one interval after start:
# 3 s brings a restarted dashboard to "healthy" within about 4 s (/health answers from the
# first second), and 3 failures in a row (9 s) before "unhealthy" keep it from flapping.
HEALTH_CHECK = HealthCheck(
    test=app.HEALTHCHECK_COMMAND,
    interval_seconds=3,
    start_period_seconds=20,
    timeout_seconds=3,
)


@dataclass(frozen=True)
class DashboardArgs:
    shared: SharedInputs
    storage: AppStorage
    bind_address: str
    host_port: int
    settings: DashboardConfig
    """Its section of the stack config; the API token leaves it only as a secret Output."""


class Dashboard(pulumi.ComponentResource):
    """Serves the ticket dashboard on ``bind_address:host_port``; up waits until healthy."""

    container_name: pulumi.Output[str]
    url: pulumi.Output[str]
    host_port: pulumi.Output[int]
    internal_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(DASHBOARD_TYPE, name, None, opts)
        container = hardened_container(
            self,
            name,
            args.shared,
            role=DASHBOARD,
            command=app.DASHBOARD_COMMAND,
            envs=_environment(args),
            mounts=_mounts(args.storage, args.settings),
            health_check=HEALTH_CHECK,
            ports=[
                docker.ContainerPortArgs(
                    internal=app.CONTAINER_PORT,
                    external=args.host_port,
                    ip=args.bind_address,
                    protocol="tcp",
                )
            ],
            # Only honoured when the container is created: later runs do not re-check
            # health, which is why the image also carries a HEALTHCHECK for the engine.
            wait=True,
            wait_timeout=args.settings.health_wait_timeout_seconds,
        )
        self.container_name = container.name
        self.host_port = pulumi.Output.from_input(args.host_port)
        self.url = pulumi.Output.from_input(browser_url(args.bind_address, args.host_port))
        # Peers on the stack network reach the dashboard by its container name.
        self.internal_url = container.name.apply(
            lambda container_name: f"http://{container_name}:{app.CONTAINER_PORT}"
        )
        self.register_outputs(
            {
                "container_name": self.container_name,
                "url": self.url,
                "host_port": self.host_port,
                "internal_url": self.internal_url,
            }
        )


def browser_url(bind_address: str, port: int) -> str:
    """Where a browser on the Docker host finds the dashboard."""
    address = ipaddress.ip_address(bind_address)
    if address.is_unspecified:  # published on every interface; loopback is one of them
        host = "127.0.0.1" if address.version == 4 else "[::1]"
    else:
        host = str(address) if address.version == 4 else f"[{address}]"
    return f"http://{host}:{port}"


def _environment(args: DashboardArgs) -> list[pulumi.Input[str]]:
    settings = args.settings
    plain = app.env_list(
        {
            app.ENV_PORT: str(app.CONTAINER_PORT),
            app.ENV_TICKETS_DIR: app.TICKETS_PATH,
            app.ENV_DATA_DIR: app.DATA_PATH,
            app.ENV_BACKUP_DIR: app.BACKUPS_PATH,
            app.ENV_MONITOR_HEARTBEAT_FILE: app.MONITOR_HEARTBEAT_FILE,
            app.ENV_LOG_LEVEL: args.shared.log_level,
            app.ENV_ORGANIZE_COMPLETED: app.env_flag(settings.organize_completed),
            app.ENV_TICKETS_READ_ONLY: app.env_flag(settings.tickets_read_only),
            app.ENV_WATCH: app.env_flag(settings.watch),
            app.ENV_WATCH_POLLING: app.env_flag(settings.watch_polling),
        }
    )
    token = settings.api_token_secret()
    if token is None:
        return list(plain)
    return [*plain, app.secret_env(app.ENV_API_TOKEN, token)]


def _mounts(storage: AppStorage, settings: DashboardConfig) -> list[docker.ContainerMountArgs]:
    return [
        docker.ContainerMountArgs(
            target=app.TICKETS_PATH,
            type="bind",
            source=str(storage.tickets_dir),
            # Writable: status changes rewrite ticket files (and organize moves them).
            read_only=settings.tickets_read_only,
        ),
        docker.ContainerMountArgs(
            target=app.DATA_PATH, type="volume", source=storage.data_volume, read_only=False
        ),
        # Only to show what the backup job last reported (backup-status.json).
        docker.ContainerMountArgs(
            target=app.BACKUPS_PATH, type="volume", source=storage.backups_volume, read_only=True
        ),
        # Only to show the monitor's last heartbeat in /api/status.
        docker.ContainerMountArgs(
            target=app.MONITOR_STATUS_PATH,
            type="volume",
            source=storage.monitor_volume,
            read_only=True,
        ),
    ]
