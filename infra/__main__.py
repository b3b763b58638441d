"""The ticket dashboard on one Docker host: a table of contents.

Each step lives in ticket_dashboard/<step>.py. The config is parsed and checked first, so
an invalid stack fails before any resource is declared.
"""

import pulumi

from ticket_dashboard.backup import Backup, BackupArgs, BackupSettings
from ticket_dashboard.config import load_stack_config
from ticket_dashboard.container_baseline import ContainerBaseline, SharedInputs
from ticket_dashboard.dashboard import Dashboard, DashboardArgs, DashboardSettings
from ticket_dashboard.image import AppImage, ImageArgs
from ticket_dashboard.monitor import Monitor, MonitorArgs, MonitorSettings
from ticket_dashboard.naming import stack_naming
from ticket_dashboard.network import NetworkArgs, StackNetwork
from ticket_dashboard.ports import DockerHostProbe, select_host_port
from ticket_dashboard.project import APP_DIR
from ticket_dashboard.storage import AppStorage, StackStorage, StorageArgs

config = load_stack_config()
naming = stack_naming(pulumi.get_stack())
host_port = select_host_port(
    naming, config.port_range, config.host_port, DockerHostProbe(config.bind_address)
)

image = AppImage("image", ImageArgs(naming, APP_DIR, config.base_image))
network = StackNetwork("network", NetworkArgs(naming, config.subnet, config.gateway_address))
storage = StackStorage("storage", StorageArgs(naming, config.protect_data))

# Every container gets the same baseline, image and network; dashboard and backup also
# share the data volumes and the host's ticket tree.
shared = SharedInputs(
    baseline=ContainerBaseline.from_config(naming, config),
    image=image.reference,
    network_name=network.name,
)
app_storage = AppStorage(
    data_volume=storage.data_volume,
    backups_volume=storage.backups_volume,
    monitor_volume=storage.monitor_volume,
    tickets_dir=config.tickets_dir,
)

dashboard = Dashboard(
    "dashboard",
    DashboardArgs(
        shared=shared,
        storage=app_storage,
        bind_address=config.bind_address,
        host_port=host_port,
        settings=DashboardSettings.from_config(config),
        health_wait_timeout_seconds=config.health_wait_timeout_seconds,
        api_token=config.api_token_secret(),
    ),
)
backup = Backup(
    "backup",
    BackupArgs(shared=shared, storage=app_storage, settings=BackupSettings.from_config(config)),
)
monitor = Monitor(
    "monitor",
    MonitorArgs(
        shared=shared,
        target_url=dashboard.internal_url,
        settings=MonitorSettings.from_config(config),
        status_volume=storage.monitor_volume,
        webhook_url=config.monitor_webhook_secret(),
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
