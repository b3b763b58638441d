"""Build the app image on the real Docker engine and run it hardened, as deployed.

These tests check the image (issue: the dashboard workload), not a Pulumi
deployment: containers are started with the docker SDK using the same baseline the
Pulumi program declares (read from the dev stack's config model), so a regression in
the Dockerfile (root user, writes outside /data, no healthcheck) fails here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
import yaml
from docker.models.containers import Container
from docker.types import LogConfig

from ticket_dashboard.containers.hardened import HARDENING, Hardening
from ticket_dashboard.settings.loader import parse_stack_config
from ticket_dashboard.settings.sections import LimitsConfig
from ticket_dashboard.workload import BACKUPS_PATH, DATA_PATH, SCRATCH_PATH

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
        buildargs={"BASE_IMAGE": stack.image.base_image},
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
            **hardened_run_options(HARDENING, stack.limits),
            # The volumes' stand-ins: writable by the runtime user, like the named volumes.
            "tmpfs": {
                SCRATCH_PATH: HARDENING.scratch_tmpfs_options,
                DATA_PATH: "rw,uid=1001,gid=1001",
                BACKUPS_PATH: "rw,uid=1001,gid=1001",
            },
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


def hardened_run_options(hardening: Hardening, limits: LimitsConfig) -> dict[str, Any]:
    """docker SDK ``containers.run`` options for the program's baseline and limits."""
    by_fact = {
        "user": {"user": hardening.user},
        "privileged": {"privileged": hardening.privileged},
        "read_only_root": {"read_only": hardening.read_only_root},
        "scratch_tmpfs_options": {"tmpfs": {SCRATCH_PATH: hardening.scratch_tmpfs_options}},
        "cap_drop": {"cap_drop": list(hardening.cap_drop)},
        "security_opts": {"security_opt": list(hardening.security_opts)},
        "log_driver": {"log_config": LogConfig(type=hardening.log_driver)},
    }
    # A new fact of the baseline must be rendered here too, or this fails.
    assert by_fact.keys() == {field.name for field in dataclasses.fields(Hardening)}
    return {
        **{key: value for options in by_fact.values() for key, value in options.items()},
        "mem_limit": limits.memory_limit,
        "memswap_limit": limits.memory_limit,
        "nano_cpus": int(limits.cpu_limit * 1e9),
        "pids_limit": limits.pids_limit,
    }


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
