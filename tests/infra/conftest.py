"""testinfra against the deployed containers, read from the host.

Slim images have no ps or ss, and the proxy's has no Python, so runtime facts come from
the engine through testinfra's local backend (`host.docker(name).inspect()`, `docker
top`) and from the host's /proc view of each container's processes; expected values
come from the stack's config model.

Tests that take ``target`` run once per container: the proxy, each dashboard replica,
backup and monitor. Tests that take ``replica_index`` run once per replica. The replica
count is read before the deployment exists (tests.deployment.replica_count), so the ids
say which replica failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import testinfra

from tests.deployment import replica_count
from ticket_dashboard.components.proxy import COMMAND as PROXY_COMMAND
from ticket_dashboard.naming import BACKUP, DASHBOARD, MONITOR, PROXY
from ticket_dashboard.settings.sections import StackConfig
from ticket_dashboard.workload import BACKUP_COMMAND, DASHBOARD_COMMAND, MONITOR_COMMAND

# What `docker top` shows: the proxy's shell execs haproxy, the others run as declared.
PROCESSES = {
    PROXY: PROXY_COMMAND[-1].rpartition("exec ")[2],
    DASHBOARD: " ".join(DASHBOARD_COMMAND),
    BACKUP: " ".join(BACKUP_COMMAND),
    MONITOR: " ".join(MONITOR_COMMAND),
}


@dataclass(frozen=True)
class Target:
    """One container of the stack: a role, and for a dashboard replica its 1-based index."""

    role: str
    index: int | None = None

    @property
    def id(self) -> str:
        return self.role if self.index is None else f"{self.role}-{self.index}"


def stack_targets(replicas: int) -> list[Target]:
    replica_targets = [Target(DASHBOARD, index) for index in range(1, replicas + 1)]
    return [Target(PROXY), *replica_targets, Target(BACKUP), Target(MONITOR)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    replicas = replica_count(metafunc.config.getoption("--stack"))
    if "target" in metafunc.fixturenames:
        targets = stack_targets(replicas)
        metafunc.parametrize("target", targets, ids=[target.id for target in targets])
    if "replica_index" in metafunc.fixturenames:
        indexes = list(range(1, replicas + 1))
        metafunc.parametrize("replica_index", indexes, ids=[f"{DASHBOARD}-{i}" for i in indexes])


@pytest.fixture(scope="session")
def host() -> Any:
    return testinfra.get_host("local://")


@pytest.fixture(scope="session")
def config(deployed) -> StackConfig:
    return deployed.config


@pytest.fixture
def role(target: Target) -> str:
    return target.role


def _replica(deployed, index: int) -> str:
    names = deployed.replicas
    assert index <= len(names), f"the config asks for replica {index}, the stack runs {names}"
    return names[index - 1]


@pytest.fixture
def name(deployed, target: Target) -> str:
    if target.index is None:
        return deployed.container(target.role)
    return _replica(deployed, target.index)


@pytest.fixture
def replica_name(deployed, replica_index: int) -> str:
    return _replica(deployed, replica_index)


@pytest.fixture
def inspected(host, name: str) -> dict[str, Any]:
    return host.docker(name).inspect()


def proc_file(host, inspected: dict[str, Any], relative: str) -> str:
    """/proc/<main pid>/<relative> as the host sees it: the container's own view."""
    return host.file(f"/proc/{inspected['State']['Pid']}/{relative}").content_string
