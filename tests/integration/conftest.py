"""Integration tests against the session's deployed stack (tests/conftest.py).

Modules are numbered because they run in that order on one stack: the checks that only
read come first, then the ones that kill, stop, redeploy or change it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import pytest
import requests

from tests.deployment import Deployment

from .load_probe import ConstantRateProbe, vegeta_binary


@pytest.fixture(scope="session")
def engine() -> docker.DockerClient:
    return docker.from_env()


@pytest.fixture
def api(deployed) -> Callable[..., requests.Response]:
    """`api("GET", "/api/tickets")` against the published URL, with the stack's token."""

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if deployed.api_token:
            headers.setdefault("Authorization", f"Bearer {deployed.api_token}")
        return requests.request(
            method, deployed.outputs["url"] + path, headers=headers, timeout=10, **kwargs
        )

    return call


@pytest.fixture(scope="session")
def vegeta() -> Path:
    return vegeta_binary()


@pytest.fixture
def probe(deployed: Deployment, vegeta: Path) -> Callable[[], ConstantRateProbe]:
    """`with probe() as report:` a constant-rate probe of the published URL (load_probe.py)."""
    return lambda: ConstantRateProbe(vegeta, deployed.outputs["url"], deployed.api_token)


def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """The first truthy result of `check` within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (requests.RequestException, docker.errors.APIError):
            result = None
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


def health_of(engine: docker.DockerClient, name: str) -> str:
    return engine.api.inspect_container(name)["State"].get("Health", {}).get("Status", "none")


def json_log(container, since: int) -> list[dict[str, Any]]:
    """A container's JSON-lines log records since a Unix time; other lines are skipped."""
    records = []
    for line in container.logs(since=since).decode(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


class OperationLog:
    """Every resource's operation in one `up`, by type: pass ``record`` as ``on_event``."""

    UNCHANGED = frozenset({"same", "read", "refresh"})

    def __init__(self) -> None:
        self.ops: dict[str, dict[str, set[str]]] = {}

    def record(self, event: Any) -> None:
        pre = event.resource_pre_event
        if pre is not None:
            by_type = self.ops.setdefault(pre.metadata.type, {})
            by_type.setdefault(pre.metadata.urn, set()).add(pre.metadata.op.value)

    def changed(self) -> dict[str, set[str]]:
        """Type -> the URNs of that type that had any operation but same/read/refresh."""
        return {
            type_: found
            for type_, by_urn in self.ops.items()
            if (found := {urn for urn, ops in by_urn.items() if ops - self.UNCHANGED})
        }

    def ops_of(self, type_: str) -> set[str]:
        return {op for ops in self.ops.get(type_, {}).values() for op in ops}
