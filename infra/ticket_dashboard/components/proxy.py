"""The stack's front door: HAProxy on the published port, in front of the dashboard replicas.

It finds the replicas through Docker's embedded DNS (the dashboard role's network alias,
one record per running replica), health-checks each one's /ready, and retries a request
that a draining or vanished replica could not answer on another one. So a release, which
starts new replicas beside the old ones before stopping those, costs no request.

The image is Debian's haproxy, debootstrapped and imported by bootstrap (no registry).
Its config is proxy/haproxy.cfg.tmpl, rendered here from the stack config and handed to
the container as one environment entry, so a plan shows the exact config; the container
writes it to its /tmp tmpfs and execs haproxy.
"""

import ipaddress
import string
from dataclasses import dataclass, replace

import pulumi
import pulumi_docker as docker

from ticket_dashboard import workload
from ticket_dashboard.components.dashboard import DASHBOARD_TYPE
from ticket_dashboard.containers.hardened import SharedInputs, hardened_container
from ticket_dashboard.containers.health_check import HealthCheck
from ticket_dashboard.naming import DASHBOARD, PROXY
from ticket_dashboard.ports import PUBLISHED_CONTAINER_PORT as LISTEN_PORT
from ticket_dashboard.project import PROJECT_ROOT, PROXY_IMAGE

PROXY_TYPE = "ticket-dashboard:index:Proxy"
TEMPLATE = PROJECT_ROOT / "proxy" / "haproxy.cfg.tmpl"
HEALTH_PATH = "/proxy-health"
READY_PATH = "/ready"
MAX_CONNECTIONS = 4096
SLOTS_PER_REPLICA = 2
"""Old and new releases side by side during a switch."""
REPLICA_REQUESTS = 3
"""Requests in flight per replica: what the app admits at once with its 8 threads
(dashboard.web.admission.limits_for_threads; a test ties the two)."""
STREAM_PATH = "/api/events"
STOP_SIGNAL = "SIGUSR1"
"""HAProxy's soft stop: open requests finish, bounded by hard-stop-after (10 s)."""
STOP_GRACE_SECONDS = 11

ENV_CONFIG = "HAPROXY_CONFIG"
CONFIG_FILE = f"{workload.SCRATCH_PATH}/haproxy.cfg"
COMMAND = (
    "/bin/sh",
    "-c",
    # HAProxy refuses a config without a final newline. -W (master-worker): as PID 1 a
    # lone haproxy would ignore SIGTERM; the master handles signals and stops gracefully.
    f'printf "%s\\n" "${ENV_CONFIG}" > {CONFIG_FILE} && exec haproxy -W -db -f {CONFIG_FILE}',
)


# The image has no curl or python: bash's /dev/tcp asks haproxy's own monitor-uri, which
# answers whatever the replicas' state, so this is the proxy's liveness alone.
HEALTH_CHECK = HealthCheck(
    test=(
        "/bin/bash",
        "-c",
        f"exec 3<>/dev/tcp/127.0.0.1/{LISTEN_PORT}"
        f" && printf 'GET {HEALTH_PATH} HTTP/1.0\\r\\n\\r\\n' >&3"
        " && read -r status <&3 && [[ $status == *' 200 '* ]]",
    ),
    interval_seconds=3,
    start_period_seconds=10,
    timeout_seconds=2,
)


def render_config(replicas: int) -> str:
    """The HAProxy config for a stack of ``replicas`` dashboards."""
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        listen_port=LISTEN_PORT,
        health_path=HEALTH_PATH,
        ready_path=READY_PATH,
        max_connections=MAX_CONNECTIONS,
        server_slots=max(2, SLOTS_PER_REPLICA * replicas),
        replica_alias=DASHBOARD,
        replica_port=workload.CONTAINER_PORT,
        replica_requests=REPLICA_REQUESTS,
        stream_path=STREAM_PATH,
    )


CONTAINER_TYPE = "docker:index/container:Container"
EARLIER_FRONT_DOOR = ("dashboard", "dashboard-container")
"""The component and container that published the URL before the proxy existed (the
program up to ef9db16): one dashboard container, on the port the proxy now publishes."""


def takes_over_the_earlier_front_door(
    args: pulumi.ResourceTransformationArgs,
) -> pulumi.ResourceTransformationResult | None:
    """The proxy's container is what the earlier dashboard container became: the holder of
    the stack's published port (ports.stack_published_port keeps that port). With it as
    an alias, an upgrade replaces that container by the proxy, and the proxy's
    delete-before-replace frees the port first; as two resources, the old one would be
    deleted only at the end of the update and the proxy could not bind the port."""
    if args.type_ != CONTAINER_TYPE:
        return None
    component, container = EARLIER_FRONT_DOOR
    earlier = pulumi.Alias(name=container, parent=pulumi.create_urn(component, DASHBOARD_TYPE))
    # merge appends to the aliases the container already has.
    added = pulumi.ResourceOptions(aliases=[earlier])
    return pulumi.ResourceTransformationResult(
        args.props, pulumi.ResourceOptions.merge(args.opts, added)
    )


@dataclass(frozen=True)
class ProxyArgs:
    shared: SharedInputs
    bind_address: str
    host_port: int
    replicas: int


class Proxy(pulumi.ComponentResource):
    """Publishes ``bind_address:host_port``; up waits until HAProxy answers its own check."""

    container_name: pulumi.Output[str]
    url: pulumi.Output[str]
    host_port: pulumi.Output[int]
    internal_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: ProxyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        takeover = pulumi.ResourceOptions(transformations=[takes_over_the_earlier_front_door])
        super().__init__(PROXY_TYPE, name, None, pulumi.ResourceOptions.merge(opts, takeover))
        image = docker.get_remote_image_output(
            name=PROXY_IMAGE, opts=pulumi.InvokeOptions(parent=self)
        )
        container = hardened_container(
            self,
            name,
            # The image ID, not the name: a rebuilt proxy image replaces the container.
            replace(args.shared, image=image.id),
            role=PROXY,
            command=COMMAND,
            envs=[f"{ENV_CONFIG}={render_config(args.replicas)}"],
            mounts=[],
            health_check=HEALTH_CHECK,
            ports=[
                docker.ContainerPortArgs(
                    internal=LISTEN_PORT,
                    external=args.host_port,
                    ip=args.bind_address,
                    protocol="tcp",
                )
            ],
            wait=True,
            wait_timeout=60,
            stop_signal=STOP_SIGNAL,
            # The provider's delete stops with this timeout, or with none (SIGKILL at once).
            stop_timeout=STOP_GRACE_SECONDS,
            destroy_grace_seconds=STOP_GRACE_SECONDS,
        )
        self.container_name = container.name
        self.host_port = pulumi.Output.from_input(args.host_port)
        self.url = pulumi.Output.from_input(browser_url(args.bind_address, args.host_port))
        self.internal_url = container.name.apply(lambda n: f"http://{n}:{LISTEN_PORT}")
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
