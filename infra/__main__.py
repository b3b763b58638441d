"""The ticket dashboard on one Docker host: a table of contents.

Each step lives in ticket_dashboard/<step>.py and takes its section of the stack config.
The config is parsed and checked first, so an invalid stack fails before any resource is
declared.
"""

import pulumi

from ticket_dashboard.backup import Backup, BackupArgs
from ticket_dashboard.config import load_stack_config
from ticket_dashboard.container_baseline import ContainerBaseline, SharedInputs
from ticket_dashboard.dashboard import Dashboard, DashboardArgs
from ticket_dashboard.image import AppImage, ImageArgs
from ticket_dashboard.monitor import Monitor, MonitorArgs
from ticket_dashboard.naming import stack_naming
from ticket_dashboard.network import NetworkArgs, StackNetwork
from ticket_dashboard.ports import DockerHostProbe, select_host_port
from ticket_dashboard.project import APP_DIR
from ticket_dashboard.storage import AppStorage, StackStorage, StorageArgs

config = load_stack_config()
naming = stack_naming(pulumi.get_stack())
host_port = select_host_port(
    naming,
    config.network.port_range,
    config.network.host_port,
    DockerHostProbe(config.network.bind_address),
)

image = AppImage("image", ImageArgs(naming, APP_DIR, config.image.base_image))
network = StackNetwork("network", NetworkArgs(naming, config.network))
storage = StackStorage("storage", StorageArgs(naming, config.storage.protect_data))

# Every container gets the same baseline, image and network; dashboard and backup also
# share the data volumes and the host's ticket tree.
shared = SharedInputs(
    baseline=ContainerBaseline(naming, config.limits, config.logging),
    image=image.reference,
    network_name=network.name,
)
app_storage = AppStorage(
    data_volume=storage.data_volume,
    backups_volume=storage.backups_volume,
    monitor_volume=storage.monitor_volume,
    tickets_dir=config.dashboard.tickets_dir,
)

dashboard = Dashboard(
    "dashboard",
    DashboardArgs(
        shared=shared,
        storage=app_storage,
        bind_address=config.network.bind_address,
        host_port=host_port,
        settings=config.dashboard,
    ),
)
backup = Backup("backup", BackupArgs(shared=shared, storage=app_storage, settings=config.backup))
monitor = Monitor(
    "monitor",
    MonitorArgs(
        shared=shared,
        target_url=dashboard.internal_url,
        settings=config.monitor,
        status_volume=storage.monitor_volume,
    ),
    # Start watching once the dashboard is up (it is created with wait=True).
    opts=pulumi.ResourceOptions(depends_on=[dashboard]),
)

pulumi.export("url", dashboard.url)
pulumi.export("host_port", dashboard.host_port)
pulumi.export("dashboard_container", dashboard.container_name)
pulumi.export("backup_container", backup.container_name)
pulumi.export("monitor_container", monitor.container_name)
pulumi.export("image", image.reference)
pulumi.export("image_name", image.image_name)
pulumi.export("network_name", network.name)
pulumi.export("network_subnet", network.subnet)
pulumi.export("data_volume", storage.data_volume)
pulumi.export("backups_volume", storage.backups_volume)
pulumi.export("monitor_volume", storage.monitor_volume)
