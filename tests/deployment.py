"""A real deployment for the tests: a throwaway stack, or an existing one (`make verify`).

The throwaway stack runs the real program with the real ``pulumi`` CLI (Automation API),
the real docker provider and the real engine. It deploys from a copy of the project in a
temporary folder, so a test may edit the app or the program there without touching the
repository, and from its own file backend, so it never meets the dev stack's state. It
has its own name, subnet and port range, so it runs beside a deployed dev stack.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import requests
import yaml
from pulumi import automation as auto

from bootstrap.pulumi_env import pulumi_env
from ticket_dashboard.naming import (
    BACKUP,
    LABEL_PROJECT,
    LABEL_STACK,
    MONITOR,
    PROXY,
    stack_naming,
)
from ticket_dashboard.project import CONFIG_NAMESPACE, PROJECT_NAME
from ticket_dashboard.settings.loader import parse_stack_config
from ticket_dashboard.settings.sections import DashboardConfig, StackConfig

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("Pulumi.yaml", "pyproject.toml", "infra", "app", "policy", "proxy")
SKIPPED = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc", ".venv")
THROWAWAY_REPLICAS = 2


def key(name: str) -> str:
    return f"{CONFIG_NAMESPACE}:{name}"


@dataclass
class Deployment:
    """One deployed stack: its Automation API handle, outputs and parsed config."""

    stack: auto.Stack
    project_dir: Path
    tickets_dir: Path
    api_token: str | None
    log: Callable[[str], None] = print
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.stack.name

    @property
    def config(self) -> StackConfig:
        stored = self.stack.get_all_config()  # one CLI call, not one per use
        values = {k: v.value for k, v in stored.items()}
        secret = {k for k, v in stored.items() if v.secret}
        return parse_stack_config(values, project_root=self.project_dir, secret_keys=secret)

    def up(self, **kwargs: Any) -> auto.UpResult:
        """`pulumi up` with the policy pack, as `make up` runs it, then wait for /ready: up
        waits for Docker's health check, which is liveness (/health); the first index may
        still be running."""
        kwargs.setdefault("policy_packs", [str(self.project_dir / "policy")])
        result = self.stack.up(on_output=self.log, color="never", **kwargs)
        self.refresh_outputs()
        self.wait_ready()
        return result

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.outputs["url"] + "/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"{self.outputs['url']}/ready did not answer 200 in {timeout}s")

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self.log, color="never", **kwargs)

    def set_config(self, name: str, value: str, secret: bool = False) -> None:
        self.stack.set_config(key(name), auto.ConfigValue(value, secret=secret))

    def refresh_outputs(self) -> None:
        self.outputs = {k: v.value for k, v in self.stack.outputs().items()}

    def container(self, role: str) -> str:
        """The one container of ``role``: proxy, backup or monitor (see ``replicas``)."""
        return self.outputs[f"{role}_container"]

    @property
    def replicas(self) -> list[str]:
        """The dashboard replicas' container names, in index order."""
        return list(self.outputs["dashboard_containers"])

    def containers(self) -> list[str]:
        """Every container the stack runs: the proxy, each replica, backup, monitor."""
        return [
            self.container(PROXY),
            *self.replicas,
            self.container(BACKUP),
            self.container(MONITOR),
        ]

    @property
    def release(self) -> str:
        return self.outputs["release"]

    def labelled_objects(self) -> dict[str, list[str]]:
        """Names of the containers, networks and volumes labelled with this stack."""
        client = docker.from_env()
        filters = {"label": [f"{LABEL_PROJECT}={PROJECT_NAME}", f"{LABEL_STACK}={self.name}"]}
        try:
            return {
                "containers": [c.name for c in client.containers.list(all=True, filters=filters)],
                "networks": [n.name for n in client.networks.list(filters=filters)],
                "volumes": [v.name for v in client.volumes.list(filters=filters)],
            }
        finally:
            client.close()

    def labelled_containers(self, role: str) -> list[str]:
        """Names of this stack's containers of ``role``, running or not, outputs or not."""
        client = docker.from_env()
        labels = stack_naming(self.name).labels(role)
        try:
            found = client.containers.list(
                all=True, filters={"label": [f"{k}={v}" for k, v in labels.items()]}
            )
            return [container.name for container in found]
        finally:
            client.close()

    def stack_output_text(self) -> str:
        """`pulumi stack output --json` as a user would run it (no --show-secrets)."""
        env = self.stack.workspace.env_vars
        result = subprocess.run(
            ["pulumi", "stack", "output", "--json", "--stack", self.name],
            cwd=self.project_dir,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout


def toolchain_env(stack_name: str, backend_dir: Path | None) -> dict[str, str]:
    """The env `make` gives pulumi (bootstrap's toolchain), with its own backend if asked."""
    env = pulumi_env(ROOT, stack_name, os.environ)
    if backend_dir is not None:
        backend_dir.mkdir(parents=True, exist_ok=True)
        env["PULUMI_BACKEND_URL"] = f"file://{backend_dir}"
    env["PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"] = "true"
    return env


def copy_project(destination: Path) -> Path:
    """The Pulumi project (program, app, policy) in a folder of its own; the venv is shared."""
    destination.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=SKIPPED)
        else:
            shutil.copy2(source, destination / part)
    (destination / ".venv").symlink_to(ROOT / ".venv")
    (destination / "infra" / ".venv").symlink_to(ROOT / ".venv")  # see bootstrap/venv.py
    return destination


def copy_tickets(destination: Path) -> Path:
    """The sample tree, writable by uid 1001 as a user's tree on the host would be."""
    shutil.copytree(ROOT / "samples" / "tickets", destination)
    for path in [destination, *destination.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    return destination


def throwaway_settings(tickets_dir: Path, octet: int, port_base: int) -> dict[str, str]:
    """A stack that cannot collide with dev (172.21/16, 3100-3104) or prod (172.20/16)."""
    return {
        "subnet": f"172.30.{octet}.0/24",
        "portRange": f"{port_base}-{port_base + 4}",
        "bindAddress": "127.0.0.1",
        "ticketsDir": str(tickets_dir),
        "logLevel": "DEBUG",
        # Short enough to observe within a test: a backup every minute, a poll every 5 s.
        "backupSchedule": "* * * * *",
        "backupRetentionDays": "1",
        "monitorIntervalSeconds": "5",
        "requireApiToken": "true",
        "protectData": "false",
        "healthWaitTimeoutSeconds": "120",
        # As prod runs: releases, failed releases and rollbacks swap replicas behind the proxy.
        "replicas": str(THROWAWAY_REPLICAS),
    }


def create_throwaway(
    workdir: Path, settings: Mapping[str, str] | None = None, prefix: str = "it"
) -> Deployment:
    """A new stack named ``<prefix>-<random>`` in a copy of the project, not yet deployed."""
    name = f"{prefix}-{secrets.token_hex(3)}"
    project_dir = copy_project(workdir / "project")
    tickets_dir = copy_tickets(workdir / "tickets")
    env = toolchain_env(name, workdir / "state")
    stack = auto.create_stack(
        name,
        work_dir=str(project_dir),
        opts=auto.LocalWorkspaceOptions(
            env_vars=env, pulumi_command=_pulumi_command(env), secrets_provider="passphrase"
        ),
    )
    seed = secrets.randbelow(200)
    values = throwaway_settings(tickets_dir, octet=seed + 20, port_base=3300 + 5 * seed)
    values.update(settings or {})
    token = secrets.token_urlsafe(24)
    stack.set_all_config({key(k): auto.ConfigValue(v) for k, v in values.items()})
    stack.set_config(key("apiToken"), auto.ConfigValue(token, secret=True))
    return Deployment(stack, project_dir, tickets_dir, token)


def select_existing(stack_name: str) -> Deployment:
    """An already deployed stack of this repository (`make verify STACK=...`)."""
    env = toolchain_env(stack_name, None)
    stack = auto.select_stack(
        stack_name,
        work_dir=str(ROOT),
        opts=auto.LocalWorkspaceOptions(env_vars=env, pulumi_command=_pulumi_command(env)),
    )
    token = stack.get_all_config().get(key("apiToken"))
    deployment = Deployment(stack, ROOT, Path(), token.value if token else None)
    deployment.refresh_outputs()
    deployment.tickets_dir = deployment.config.dashboard.tickets_dir
    return deployment


def replica_count(stack_name: str | None) -> int:
    """How many dashboard replicas a stack runs, known before it is deployed or read: so
    tests can be parametrised per replica at collection time."""
    if stack_name is None:
        return THROWAWAY_REPLICAS
    stack_file = ROOT / f"Pulumi.{stack_name}.yaml"
    stored = yaml.safe_load(stack_file.read_text()) if stack_file.is_file() else None
    value = ((stored or {}).get("config") or {}).get(key("replicas"))
    return int(value) if value is not None else DashboardConfig.model_fields["replicas"].default


def teardown(deployment: Deployment) -> None:
    """Destroy and forget the stack, and its releases; runs even after a failed `up`."""
    try:
        deployment.stack.destroy(on_output=deployment.log, color="never")
    finally:
        try:
            deployment.stack.workspace.remove_stack(deployment.name)
        finally:
            remove_releases(deployment.name)


def remove_releases(stack_name: str) -> None:
    """Untag every image of a throwaway stack's repository: `destroy` keeps a stack's
    releases on purpose (release_pruning.py), which only a real stack wants."""
    client = docker.from_env()
    repository = stack_naming(stack_name).image_repository
    try:
        for image in client.images.list(name=repository):
            for tag in image.tags:
                if tag.startswith(f"{repository}:"):
                    with contextlib.suppress(docker.errors.APIError):
                        client.images.remove(tag)
    finally:
        client.close()


def _pulumi_command(env: Mapping[str, str]) -> auto.PulumiCommand:
    found = shutil.which("pulumi", path=env.get("PATH"))
    if found is None:
        raise RuntimeError("no pulumi CLI on PATH; run: make bootstrap")
    # PulumiCommand wants the folder that holds bin/pulumi.
    return auto.PulumiCommand(root=str(Path(found).parent.parent), skip_version_check=True)


def summary_counts(result: auto.UpResult) -> dict[str, int]:
    return dict(result.summary.resource_changes or {})


def inspect(name: str) -> dict[str, Any]:
    client = docker.from_env()
    try:
        return client.api.inspect_container(name)
    finally:
        client.close()
