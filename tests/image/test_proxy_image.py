"""The proxy image bootstrap builds, on the real engine: its own health check (CIS Docker
4.6), which holds with the deployment's hardening (uid 1001, read-only root, no caps)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import docker
import pytest
from docker.models.containers import Container

from ticket_dashboard.components.proxy import COMMAND, ENV_CONFIG, HEALTH_CHECK, render_config
from ticket_dashboard.containers.hardened import HARDENING
from ticket_dashboard.project import PROXY_IMAGE

from .conftest import hardened_run_options, wait_for_health

pytestmark = pytest.mark.docker

NANOSECONDS = 1_000_000_000


@pytest.fixture(scope="module")
def proxy_image(docker_client: docker.DockerClient) -> str:
    try:
        docker_client.images.get(PROXY_IMAGE)
    except docker.errors.ImageNotFound:
        pytest.fail(f"the proxy image {PROXY_IMAGE} is missing; run: make bootstrap")
    return PROXY_IMAGE


@pytest.fixture
def hardened_proxy(docker_client: docker.DockerClient, proxy_image: str, stack) -> Iterator:
    """The proxy as the program starts it, but with no health check but the image's."""
    container = docker_client.containers.run(
        proxy_image,
        list(COMMAND),
        environment={ENV_CONFIG: render_config(replicas=1)},
        detach=True,
        labels={"ticket-dashboard.test": "image"},
        **hardened_run_options(HARDENING, stack.limits),
    )
    yield container
    with contextlib.suppress(docker.errors.NotFound):
        container.remove(force=True)


def test_proxy_image_declares_the_programs_health_check(docker_client, proxy_image):
    healthcheck = docker_client.images.get(proxy_image).attrs["Config"].get("Healthcheck")
    assert healthcheck == {
        "Test": ["CMD", *HEALTH_CHECK.test],
        "Interval": HEALTH_CHECK.interval_seconds * NANOSECONDS,
        "Timeout": HEALTH_CHECK.timeout_seconds * NANOSECONDS,
        "StartPeriod": HEALTH_CHECK.start_period_seconds * NANOSECONDS,
        "Retries": HEALTH_CHECK.retries,
    }


def test_proxy_turns_healthy_by_the_images_check_when_hardened(hardened_proxy: Container):
    status = wait_for_health(hardened_proxy, timeout=30)
    assert status == "healthy", hardened_proxy.logs().decode()[-2000:]
