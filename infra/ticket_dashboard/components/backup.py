"""The backup sidecar: same image, backup daemon command, reads data and tickets only."""

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from ticket_dashboard import workload
from ticket_dashboard.components.storage import AppStorage
from ticket_dashboard.containers.hardened import SharedInputs, hardened_container
from ticket_dashboard.containers.health_check import HealthCheck
from ticket_dashboard.naming import BACKUP
from ticket_dashboard.settings.sections import BackupConfig

BACKUP_TYPE = "ticket-dashboard:index:Backup"

# The daemon sleeps between scheduled runs and serves nothing, so "healthy" means it can
# still do its job: the data and tickets are readable and the backup volume writable.
# It writes no heartbeat and its status file appears only after the first backup, so
# the check runs the image's Python (the slim base has no shell tools to rely on).
HEALTH_CHECK = HealthCheck(
    test=(
        "python",
        "-c",
        "import os, sys; sys.exit(0 if os.access("
        f"'{workload.BACKUPS_PATH}', os.W_OK) and os.access('{workload.DATA_PATH}', os.R_OK) "
        f"and os.access('{workload.TICKETS_PATH}', os.R_OK) else 1)",
    ),
    interval_seconds=30,
    start_period_seconds=10,
)


@dataclass(frozen=True)
class BackupArgs:
    shared: SharedInputs
    storage: AppStorage
    settings: BackupConfig


class Backup(pulumi.ComponentResource):
    """Runs ``python -m dashboard.backup daemon`` on the stack's schedule."""

    container_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(BACKUP_TYPE, name, None, opts)
        container = hardened_container(
            self,
            name,
            args.shared,
            role=BACKUP,
            command=workload.BACKUP_COMMAND,
            envs=_environment(args),
            mounts=_mounts(args.storage),
            health_check=HEALTH_CHECK,
        )
        self.container_name = container.name
        self.register_outputs({"container_name": self.container_name})


def app_settings(args: BackupArgs) -> workload.BackupSettings:
    """What the backup job reads: its section of the stack config and the mounts."""
    return workload.app_settings(
        workload.BackupSettings,
        {
            "tickets_dir": workload.TICKETS_PATH,
            "data_dir": workload.DATA_PATH,
            "backup_dir": workload.BACKUPS_PATH,
            "log_level": args.shared.log_level,
            **args.settings.app_values(),
        },
    )


def _environment(args: BackupArgs) -> list[pulumi.Input[str]]:
    return workload.environment(app_settings(args))


def _mounts(storage: AppStorage) -> list[docker.ContainerMountArgs]:
    return [
        docker.ContainerMountArgs(
            target=workload.DATA_PATH, type="volume", source=storage.data_volume, read_only=True
        ),
        docker.ContainerMountArgs(
            target=workload.BACKUPS_PATH,
            type="volume",
            source=storage.backups_volume,
            read_only=False,
        ),
        docker.ContainerMountArgs(
            target=workload.TICKETS_PATH,
            type="bind",
            source=str(storage.tickets_dir),
            read_only=True,
        ),
    ]
