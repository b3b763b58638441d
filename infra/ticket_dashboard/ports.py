"""The dashboard's host port: chosen at deploy time, kept once held.

Replaces the old port-manager container. ``choose_port`` is the whole policy as a pure
function; ``DockerHostProbe`` gathers its inputs from the Docker host (published ports of
every container, a bind test on the bind address, and who listens where when the OS tells
us). Tests and previews under mocks pass a fake probe instead.
"""

import errno
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import docker
import psutil
import pulumi

from ticket_dashboard.naming import LABEL_PROJECT, LABEL_ROLE, LABEL_STACK, PROXY, StackNaming
from ticket_dashboard.settings.types import PortRange

PUBLISHED_ROLE = PROXY
"""The one container with a host port: the proxy in front of the dashboard replicas."""
PUBLISHED_CONTAINER_PORT = 8080
"""What the proxy listens on inside its container (unprivileged: it runs as uid 1001)."""

UNKNOWN_HOLDER = "unknown process"


class PortSelectionError(pulumi.RunError):
    """No usable host port; the message says which port is held by what."""


def choose_port(
    port_range: PortRange,
    explicit: int | None,
    held_by_stack: int | None,
    busy: Mapping[int, str],
) -> int:
    """The host port to publish the dashboard on.

    An explicit port wins; otherwise the port this stack already holds is kept (so a
    re-run never moves it) while it is still in the range; otherwise the first port of the
    range that nothing holds. ``busy`` maps held ports to a description of the holder.
    """
    if explicit is not None:
        return _explicit_port(explicit, held_by_stack, busy)
    if held_by_stack is not None and held_by_stack in port_range:
        return held_by_stack
    for port in port_range.ports():
        if port not in busy:
            return port
    raise PortSelectionError(_exhausted_message(port_range, busy))


def _explicit_port(explicit: int, held_by_stack: int | None, busy: Mapping[int, str]) -> int:
    if explicit != held_by_stack and explicit in busy:
        raise PortSelectionError(
            f"ticket-dashboard:hostPort {explicit} is held by {busy[explicit]}; free it or "
            "choose another port (or unset hostPort to pick from portRange)"
        )
    return explicit


def _exhausted_message(port_range: PortRange, busy: Mapping[int, str]) -> str:
    holders = "; ".join(f"{port}: {busy.get(port, UNKNOWN_HOLDER)}" for port in port_range.ports())
    return (
        f"every port in ticket-dashboard:portRange {port_range} is taken ({holders}). "
        "Free one, widen the range, or set ticket-dashboard:hostPort."
    )


class HostPortProbe(Protocol):
    """What ``choose_port`` needs to know about the Docker host."""

    def port_held_by_stack(self, naming: StackNaming) -> int | None: ...

    def busy_ports(self, ports: Iterable[int]) -> dict[int, str]: ...


def select_host_port(
    naming: StackNaming,
    port_range: PortRange,
    explicit: int | None,
    probe: HostPortProbe,
) -> int:
    """Ask the probe about the host, then apply ``choose_port``."""
    held = probe.port_held_by_stack(naming)
    # An explicit port needs no search, only a check that nobody else holds it.
    candidates = [explicit] if explicit is not None else port_range.ports()
    return choose_port(port_range, explicit, held, probe.busy_ports(candidates))


class DockerHostProbe:
    """Reads port usage from the Docker engine (DOCKER_HOST or the local socket) and,
    when that engine is on this machine, from the host's own sockets."""

    def __init__(
        self,
        bind_address: str,
        client_factory: Callable[[], Any] | None = None,
        listeners: Callable[[], Mapping[int, str]] | None = None,
    ) -> None:
        self._bind_address = bind_address
        self._client_factory = client_factory or _docker_client
        self._listeners = listeners or listening_processes
        self._client: Any = None

    def port_held_by_stack(self, naming: StackNaming) -> int | None:
        # Stopped containers count too: a restart policy would bring them back on that port.
        # Every role, not only the proxy: see stack_published_port.
        labels = naming.labels()
        wanted = [f"{key}={labels[key]}" for key in (LABEL_PROJECT, LABEL_STACK)]
        return stack_published_port(c.attrs for c in self._containers(filters={"label": wanted}))

    def busy_ports(self, ports: Iterable[int]) -> dict[int, str]:
        wanted = set(ports)
        busy = {port: holder for port, holder in self._container_ports().items() if port in wanted}
        if _engine_is_local():
            # The bind test only means something when containers publish on this machine.
            free_of_containers = sorted(wanted - busy.keys())
            busy.update(self._bound_locally(free_of_containers))
        return busy

    def _container_ports(self) -> dict[int, str]:
        held: dict[int, str] = {}
        for container in self._containers():
            for port in host_ports(container.attrs):
                held.setdefault(port, f"container {container.name}")
        return held

    def _bound_locally(self, ports: Iterable[int]) -> dict[int, str]:
        taken = [port for port in ports if not can_bind(self._bind_address, port)]
        if not taken:
            return {}
        listeners = self._listeners()
        return {port: listeners.get(port, UNKNOWN_HOLDER) for port in taken}

    def _containers(self, **filters: Any) -> list[Any]:
        # Inspected (not sparse) so HostConfig.PortBindings is there; a container removed
        # between listing and inspecting no longer holds anything.
        if self._client is None:
            self._client = self._client_factory()
        return self._client.containers.list(all=True, ignore_removed=True, **filters)


def _docker_client() -> Any:
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as error:
        where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        raise PortSelectionError(
            f"cannot reach the Docker engine at {where} to choose the dashboard's host port "
            f"({error}). Start Docker, point DOCKER_HOST at it, or set ticket-dashboard:hostPort."
        ) from error
    return client


def _engine_is_local() -> bool:
    docker_host = os.environ.get("DOCKER_HOST", "")
    return docker_host == "" or docker_host.startswith(("unix://", "npipe://"))


def stack_published_port(containers: Iterable[Mapping[str, Any]]) -> int | None:
    """The host port a stack's containers publish: the proxy's, else any other one's.

    Before the proxy (the program up to ef9db16) the dashboard container itself published
    the URL, on its 8000/tcp. Looking only for a proxy on 8080/tcp, the first ``up`` of the
    proxy layout found nothing held, saw the old dashboard's port as busy and moved the URL
    to the next free port. Any port a container of this stack publishes is the stack's.
    """
    ranked = sorted(containers, key=lambda attrs: _role(attrs) != PUBLISHED_ROLE)
    return next((ports[0] for ports in map(host_ports, ranked) if ports), None)


def _role(attrs: Mapping[str, Any]) -> str | None:
    return ((attrs.get("Config") or {}).get("Labels") or {}).get(LABEL_ROLE)


def published_port(attrs: Mapping[str, Any], container_port: int) -> int | None:
    """The host port a container publishes ``container_port/tcp`` on, if any."""
    bindings = (attrs.get("HostConfig") or {}).get("PortBindings") or {}
    for binding in bindings.get(f"{container_port}/tcp") or []:
        ports = _parse_host_port(binding.get("HostPort", ""))
        if ports:
            return ports[0]
    return None


def host_ports(attrs: Mapping[str, Any]) -> list[int]:
    """Every host port a container publishes or will publish when started."""
    bindings = (attrs.get("HostConfig") or {}).get("PortBindings") or {}
    found: list[int] = []
    for port_bindings in bindings.values():
        for binding in port_bindings or []:
            found.extend(_parse_host_port(binding.get("HostPort", "")))
    return found


def _parse_host_port(text: str) -> list[int]:
    """``"3100"`` -> [3100]; ``"3100-3102"`` -> [3100, 3101, 3102]; ``""`` (random) -> []."""
    start, _, end = text.partition("-")
    if not start.isdigit() or (end and not end.isdigit()):
        return []
    return list(range(int(start), int(end or start) + 1))


def can_bind(address: str, port: int) -> bool:
    """Whether a listener could take ``address:port`` right now."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # Without SO_REUSEADDR a port in TIME_WAIT would look taken although Docker could
        # publish on it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as error:
            if error.errno == errno.EADDRNOTAVAIL:
                raise PortSelectionError(
                    f"ticket-dashboard:bindAddress {address} is not an address of this host"
                ) from error
            return False
    return True


def listening_processes() -> dict[int, str]:
    """Port -> ``process NAME (pid N)`` for TCP listeners; empty when not permitted."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, PermissionError):
        return {}
    return {
        conn.laddr.port: _describe_process(conn.pid)
        for conn in connections
        if conn.status == psutil.CONN_LISTEN and conn.laddr
    }


def _describe_process(pid: int | None) -> str:
    if pid is None:
        return UNKNOWN_HOLDER
    try:
        return f"process {psutil.Process(pid).name()} (pid {pid})"
    except (psutil.Error, PermissionError):
        return UNKNOWN_HOLDER
