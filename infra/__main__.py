"""The ticket dashboard on one Docker host: a table of contents.

Each step is a component in ticket_dashboard/components/<step>.py and takes its section of
the stack config (ticket_dashboard/settings/).
The config is parsed and checked first, so an invalid stack fails before any resource is
declared.
"""

import pulumi

from ticket_dashboard.components.backup import Backup, BackupArgs
from ticket_dashboard.components.dashboard import Dashboard, DashboardArgs
from ticket_dashboard.components.image import AppImage, ImageArgs
from ticket_dashboard.components.monitor import Monitor, MonitorArgs
from ticket_dashboard.components.network import NetworkArgs, StackNetwork
from ticket_dashboard.components.proxy import Proxy, ProxyArgs
from ticket_dashboard.components.storage import AppStorage, StackStorage, StorageArgs
from ticket_dashboard.containers.hardened import SharedInputs
from ticket_dashboard.dynamic.release_pruning import ReleasePruning
from ticket_dashboard.naming import stack_naming
from ticket_dashboard.ports import DockerHostProbe, select_host_port
from ticket_dashboard.project import APP_DIR
from ticket_dashboard.releases import pinned_image
from ticket_dashboard.settings.loader import load_stack_config

config = load_stack_config()
naming = stack_naming(pulumi.get_stack())
host_port = select_host_port(
    naming,
    config.network.port_range,
    config.network.host_port,
    DockerHostProbe(config.network.bind_address),
)

image = AppImage("image", ImageArgs(naming, APP_DIR, config.image.base_image))
# A rollback pins an earlier release; app/ is still built (a no-op when unchanged).
release_image = pinned_image(naming.image_repository, config.image.release) or image.reference
network = StackNetwork("network", NetworkArgs(naming, config.network))
storage = StackStorage("storage", StorageArgs(naming, config.storage.protect_data))

# Every container gets the same names, limits, logging, image and network; dashboard and
# backup also share the data volumes and the host's ticket tree.
shared = SharedInputs(
    naming=naming,
    limits=config.limits,
    logging=config.logging,
    image=release_image,
    network_name=network.name,
)
app_storage = AppStorage(
    data_volume=storage.data_volume,
    backups_volume=storage.backups_volume,
    monitor_volume=storage.monitor_volume,
    tickets_dir=config.dashboard.tickets_dir,
)

dashboard = Dashboard(
    "dashboard", DashboardArgs(shared=shared, storage=app_storage, settings=config.dashboard)
)
proxy = Proxy(
    "proxy",
    ProxyArgs(
        shared=shared,
        bind_address=config.network.bind_address,
        host_port=host_port,
        replicas=config.dashboard.replicas,
    ),
)
# Sidecars follow a release only once its replicas are healthy: a failed one leaves them be.
backup = Backup(
    "backup",
    BackupArgs(shared=shared, storage=app_storage, settings=config.backup),
    opts=pulumi.ResourceOptions(depends_on=[dashboard]),
)
monitor = Monitor(
    "monitor",
    MonitorArgs(
        shared=shared,
        target_url=proxy.internal_url,
        replica_urls=dashboard.replica_urls,
        settings=config.monitor,
        status_volume=storage.monitor_volume,
    ),
    # Start watching once the service is up (healthy replicas, a healthy proxy).
    opts=pulumi.ResourceOptions(depends_on=[dashboard, proxy]),
)
releases = ReleasePruning(
    "releases",
    naming.image_repository,
    running=release_image,
    keep=config.image.releases_kept,
    opts=pulumi.ResourceOptions(depends_on=[dashboard]),
)

pulumi.export("url", proxy.url)
pulumi.export("host_port", proxy.host_port)
pulumi.export("proxy_container", proxy.container_name)
pulumi.export("dashboard_containers", dashboard.replica_names)
pulumi.export("release", dashboard.release)
pulumi.export("healthy_releases", releases.healthy)
pulumi.export("backup_container", backup.container_name)
pulumi.export("monitor_container", monitor.container_name)
pulumi.export("image", release_image)
pulumi.export("image_name", image.image_name)
pulumi.export("network_name", network.name)
pulumi.export("network_subnet", network.subnet)
pulumi.export("data_volume", storage.data_volume)
pulumi.export("backups_volume", storage.backups_volume)
pulumi.export("monitor_volume", storage.monitor_volume)
