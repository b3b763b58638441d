"""Integration tests against the session's deployed stack (tests/conftest.py).

Modules are numbered because they run in that order on one stack: the checks that only
read come first, then the ones that kill, stop, redeploy or change it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import docker
import pytest
import requests


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
