"""testinfra against the deployed containers, read from the host.

Slim images have no ps or ss, so runtime facts come from the engine through testinfra's
local backend (`host.docker(name).inspect()`), and expected values from the stack's
config model.
"""

from __future__ import annotations

from typing import Any

import pytest
import testinfra

from ticket_dashboard.config import StackConfig
from ticket_dashboard.workload import BACKUP_COMMAND, DASHBOARD_COMMAND, MONITOR_COMMAND

ROLES = ("dashboard", "backup", "monitor")
COMMANDS = {"dashboard": DASHBOARD_COMMAND, "backup": BACKUP_COMMAND, "monitor": MONITOR_COMMAND}


@pytest.fixture(scope="session")
def host() -> Any:
    return testinfra.get_host("local://")


@pytest.fixture(scope="session")
def config(deployed) -> StackConfig:
    return deployed.config


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def name(deployed, role: str) -> str:
    return deployed.container(role)


@pytest.fixture
def inspected(host, name: str) -> dict[str, Any]:
    return host.docker(name).inspect()
