"""Named volumes for the dashboard's data and the backups.

The ticket tree is not here: it stays on the host and is bind-mounted, because people
edit it there.
"""

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_docker as docker

from ticket_dashboard.naming import StackNaming

STORAGE_TYPE = "ticket-dashboard:index:Storage"


@dataclass(frozen=True)
class AppStorage:
    """Where the application's state lives: three volumes and the host's ticket tree.

    The dashboard mounts all four (the backups and monitor volumes read-only), the backup
    the data and backups volumes and the tree, each with its own read/write modes. The
    monitor is handed only its volume (``MonitorArgs.status_volume``).
    """

    data_volume: pulumi.Input[str]
    backups_volume: pulumi.Input[str]
    monitor_volume: pulumi.Input[str]
    tickets_dir: Path


@dataclass(frozen=True)
class StorageArgs:
    naming: StackNaming
    protect_data: bool
    """Keep the data and backups volumes in Docker when the stack is destroyed (prod's
    archives); the monitor volume holds only a heartbeat and always goes."""


class StackStorage(pulumi.ComponentResource):
    """The ``data``, ``backups`` and ``monitor`` volumes, labelled with project and stack."""

    data_volume: pulumi.Output[str]
    backups_volume: pulumi.Output[str]
    monitor_volume: pulumi.Output[str]

    def __init__(
        self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(STORAGE_TYPE, name, None, opts)
        self.data_volume = self._volume(name, "data", args, args.protect_data).name
        self.backups_volume = self._volume(name, "backups", args, args.protect_data).name
        # Only the monitor's last heartbeat: nothing worth keeping after a destroy.
        self.monitor_volume = self._volume(name, "monitor", args, False).name
        self.register_outputs(
            {
                "data_volume": self.data_volume,
                "backups_volume": self.backups_volume,
                "monitor_volume": self.monitor_volume,
            }
        )

    def _volume(self, name: str, purpose: str, args: StorageArgs, keep: bool) -> docker.Volume:
        labels = args.naming.labels(purpose)
        # Volume labels are replace-only in the provider and a replaced volume is an empty
        # one: keep names and labels stable. delete_before_replace because the name is fixed.
        # retain_on_delete rather than protect: protect would make `pulumi destroy` fail
        # for the whole stack; retaining lets destroy remove the containers and network and
        # leaves the volumes, which the next `up` of the stack adopts again by name.
        return docker.Volume(
            f"{name}-{purpose}",
            name=args.naming.volume(purpose),
            labels=[docker.VolumeLabelArgs(label=key, value=labels[key]) for key in sorted(labels)],
            opts=pulumi.ResourceOptions(
                parent=self, delete_before_replace=True, retain_on_delete=keep
            ),
        )
