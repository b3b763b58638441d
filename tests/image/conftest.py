"""Build the app image on the real Docker engine and run it hardened, as deployed.

These tests check the image (issue: the dashboard workload), not a Pulumi
deployment: containers are started with the docker SDK using the same baseline the
Pulumi program declares (read from the dev stack's config model), so a regression in
the Dockerfile (root user, writes outside /data, no healthcheck) fails here.
"""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
import yaml
from docker.models.containers import Container

from ticket_dashboard.config import parse_stack_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as error:
        pytest.fail(f"no Docker engine answers ({error}); run: make bootstrap-test")
    return client


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    config["ticket-dashboard:ticketsDir"] = str(ROOT / "samples" / "tickets")
    return parse_stack_config(config)


@pytest.fixture(scope="session")
def image(docker_client: docker.DockerClient, stack) -> Iterator[str]:
    if not (ROOT / "app" / "wheelhouse").is_dir():
        pytest.fail("app/wheelhouse is missing; run: make bootstrap-test")
    tag = f"ticket-dashboard-imagetest:{uuid.uuid4().hex[:8]}"
    docker_client.images.build(
        path=str(ROOT / "app"),
        tag=tag,
        rm=True,
        forcerm=True,
        buildargs={"BASE_IMAGE": stack.base_image},
    )
    yield tag
    docker_client.images.remove(tag, force=True)


@pytest.fixture()
def tickets(tmp_path: Path) -> Path:
    tree = tmp_path / "tickets"
    shutil.copytree(ROOT / "samples" / "tickets", tree)
    for path in [tree, *tree.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)  # uid 1001 edits them
    return tree


@pytest.fixture()
def run_hardened(docker_client: docker.DockerClient, image: str, stack) -> Iterator:
    """Start containers of `image` with the deployment's security baseline."""
    started: list[Container] = []

    def run(command: list[str] | None = None, **overrides) -> Container:
        options = {
            "user": "1001:1001",
            "read_only": True,
            "tmpfs": {
                "/tmp": "rw,noexec,nosuid,size=64m",  # noqa: S108 - container path
                "/data": "rw,uid=1001,gid=1001",
                "/backups": "rw,uid=1001,gid=1001",
            },
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "mem_limit": stack.memory_limit,
            "memswap_limit": stack.memory_limit,
            "nano_cpus": int(stack.cpu_limit * 1e9),
            "detach": True,
            "labels": {"ticket-dashboard.test": "image"},
        }
        options.update(overrides)
        container = docker_client.containers.run(image, command, **options)
        started.append(container)
        return container

    yield run
    for container in started:
        with contextlib.suppress(docker.errors.NotFound):  # a test may remove its own
            container.remove(force=True)


def wait_for_health(container: Container, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    status = "unknown"
    while time.monotonic() < deadline:
        container.reload()
        status = container.attrs["State"].get("Health", {}).get("Status", "none")
        if status in ("healthy", "unhealthy") or container.status == "exited":
            return status
        time.sleep(1)
    return status
