"""Every container input that changes reaches the running containers (issue: drill 1).

The provider's in-place update applies only a few resource fields and reports success
for the rest; the program replaces a container on any input change instead. Each case
changes one input, runs the real `up`, reads the engine and then expects a clean preview.
Config changes go through stack settings; inputs without a setting (tmpfs, health check,
labels) are changed in the throwaway stack's copy of the program.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.deployment import Deployment, copy_tickets, inspect
from ticket_dashboard.naming import BACKUP, PROXY
from ticket_dashboard.ports import PUBLISHED_CONTAINER_PORT

pytestmark = pytest.mark.docker


def _every_container(stack: Deployment) -> list[str]:
    return stack.containers()


def _tree_mounters(stack: Deployment) -> list[str]:
    return [*stack.replicas, stack.container(BACKUP)]


def _publisher(stack: Deployment) -> list[str]:
    return [stack.container(PROXY)]


@dataclass(frozen=True)
class Case:
    change: Callable[[Deployment], Any]  # makes the change, returns the value to expect
    observe: Callable[[dict[str, Any]], Any]  # reads that value from `docker inspect`
    containers: Callable[[Deployment], list[str]] = _every_container
    """The containers that must show it, by name once the up has run."""


def _new_tickets_dir(stack: Deployment) -> str:
    fresh = copy_tickets(stack.project_dir.parent / "tickets-moved")
    stack.set_config("ticketsDir", str(fresh))
    stack.tickets_dir = fresh
    return str(fresh)


def _host_port(stack: Deployment) -> str:
    start = int(stack.config.network.port_range.start)
    stack.set_config("hostPort", str(start + 3))
    return str(start + 3)


def _edit(stack: Deployment, relative: str, old: str, new: str, value: Any) -> Any:
    path = stack.project_dir / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new))
    return value


def _smaller_subnet(stack: Deployment) -> str:
    smaller = str(next(stack.config.network.subnet.subnets(prefixlen_diff=1)))
    stack.set_config("subnet", smaller)
    return smaller


def _attached_subnet(info: dict[str, Any]) -> str:
    (network,) = info["NetworkSettings"]["Networks"].values()
    return str(ipaddress.ip_interface(f"{network['IPAddress']}/{network['IPPrefixLen']}").network)


def _mount_source(info: dict[str, Any]) -> str:
    return next(m["Source"] for m in info["Mounts"] if m["Destination"] == "/tickets")


CASES = {
    "mounts": Case(_new_tickets_dir, _mount_source, _tree_mounters),
    "ports": Case(
        _host_port,
        lambda info: info["HostConfig"]["PortBindings"][f"{PUBLISHED_CONTAINER_PORT}/tcp"][0][
            "HostPort"
        ],
        _publisher,
    ),
    "log options": Case(
        lambda s: s.set_config("logMaxSize", "20m") or "20m",
        lambda info: info["HostConfig"]["LogConfig"]["Config"]["max-size"],
    ),
    "memory and swap": Case(
        lambda s: s.set_config("memoryLimit", "384Mi") or (384 << 20, 384 << 20),
        lambda info: (info["HostConfig"]["Memory"], info["HostConfig"]["MemorySwap"]),
    ),
    "tmpfs": Case(
        lambda s: _edit(
            s,
            "infra/ticket_dashboard/containers/hardened.py",
            "nodev,size=64m",
            "nodev,size=65m",
            "rw,noexec,nosuid,nodev,size=65m",
        ),
        lambda info: info["HostConfig"]["Tmpfs"]["/tmp"],
    ),
    "health check": Case(
        lambda s: _edit(
            s,
            "infra/ticket_dashboard/containers/health_check.py",
            "retries: int = 3",
            "retries: int = 4",
            4,
        ),
        lambda info: info["Config"]["Healthcheck"]["Retries"],
    ),
    "labels": Case(
        lambda s: _edit(
            s,
            "infra/ticket_dashboard/naming.py",
            "labels[LABEL_ROLE] = role",
            "labels[LABEL_ROLE] = role\n            labels['drill'] = 'applied'",
            "applied",
        ),
        lambda info: info["Config"]["Labels"].get("drill"),
    ),
    "network": Case(_smaller_subnet, _attached_subnet),
}


@pytest.mark.parametrize("changed", CASES)
def test_a_changed_input_is_applied_to_the_running_containers(deployed, changed: str, progress):
    case = CASES[changed]
    expected = case.change(deployed)
    progress(f"test_08: up after a change of {changed} ...")
    deployed.up()
    observed = {name: case.observe(inspect(name)) for name in case.containers(deployed)}
    assert observed == dict.fromkeys(observed, expected)
    deployed.preview(expect_no_changes=True)
