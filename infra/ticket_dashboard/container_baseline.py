"""The security and resource baseline every container of the stack shares.

Dashboard, backup and monitor create their container through ``hardened_container`` and add
only what is theirs (command, env, mounts, ports, health check); everything else is identical
for all three and mirrored by the policy pack in policy/, so a container that drifts from it
is refused at preview.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_docker as docker

from ticket_dashboard.config import StackConfig
from ticket_dashboard.naming import StackNaming
from ticket_dashboard.pids_limit import PidsLimit
from ticket_dashboard.units import cpu_shares, go_duration, provider_cpus, whole_mebibytes
from ticket_dashboard.workload import RUNTIME_GID, RUNTIME_UID, SCRATCH_PATH

SCRATCH_TMPFS_OPTIONS = "rw,noexec,nosuid,nodev,size=64m"
"""The scratch tmpfs is the only writable path besides volumes: small, nothing there runs."""

LOG_DRIVER = "json-file"
NO_NEW_PRIVILEGES = "no-new-privileges"


@dataclass(frozen=True)
class ContainerBaseline:
    """Limits and policies from the stack config, in the units the provider takes."""

    naming: StackNaming
    memory_limit_bytes: int
    memory_reservation_bytes: int
    cpu_limit: float
    cpu_reservation: float
    pids_limit: int
    restart_policy: str
    log_max_size: str
    log_max_files: int

    @classmethod
    def from_config(cls, naming: StackNaming, config: StackConfig) -> "ContainerBaseline":
        return cls(
            naming=naming,
            memory_limit_bytes=config.memory_limit,
            memory_reservation_bytes=config.memory_reservation,
            cpu_limit=config.cpu_limit,
            cpu_reservation=config.cpu_reservation,
            pids_limit=config.pids_limit,
            restart_policy=config.restart_policy,
            log_max_size=config.log_max_size,
            log_max_files=config.log_max_files,
        )


@dataclass(frozen=True)
class SharedInputs:
    """What every container of the stack runs with: one baseline, one image, one network."""

    baseline: ContainerBaseline
    image: pulumi.Input[str]
    network_name: pulumi.Input[str]


@dataclass(frozen=True)
class HealthCheck:
    """A Docker health check; ``test`` is an exec-form command (no shell in the image)."""

    test: Sequence[str]
    # How often and how soon to probe depends on the role; timeout and retries do not.
    interval_seconds: int
    start_period_seconds: int
    timeout_seconds: int = 5
    retries: int = 3

    def as_args(self) -> docker.ContainerHealthcheckArgs:
        # Go duration spellings: the provider reads them back that way (see units.go_duration).
        return docker.ContainerHealthcheckArgs(
            tests=["CMD", *self.test],
            interval=go_duration(self.interval_seconds),
            timeout=go_duration(self.timeout_seconds),
            start_period=go_duration(self.start_period_seconds),
            retries=self.retries,
        )


def hardened_container(
    parent: pulumi.Resource,
    name: str,
    shared: SharedInputs,
    *,
    role: str,
    command: Sequence[str],
    envs: Sequence[pulumi.Input[str]],
    mounts: Sequence[docker.ContainerMountArgs],
    health_check: HealthCheck,
    **extra: Any,
) -> docker.Container:
    """The ``<name>-container`` of a component: the baseline plus what only ``role`` has.

    ``extra`` takes further ``docker.Container`` arguments (ports, wait) for the one role
    that needs them, so the baseline cannot be overridden by accident: a duplicate keyword
    is a TypeError.
    """
    container = docker.Container(
        f"{name}-container",
        image=shared.image,
        command=list(command),
        envs=list(envs),
        mounts=list(mounts),
        healthcheck=health_check.as_args(),
        **_naming_and_network(shared, role),
        **_identity_and_privileges(),
        **_resource_limits(shared.baseline),
        **_lifecycle(shared.baseline),
        **extra,
        opts=_fixed_name_options(parent),
    )
    PidsLimit(
        f"{name}-pids-limit",
        container.id,
        shared.baseline.pids_limit,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return container


def _naming_and_network(shared: SharedInputs, role: str) -> dict[str, Any]:
    naming = shared.baseline.naming
    return {
        "name": naming.container(role),
        "labels": _labels(naming.labels(role)),
        "networks_advanced": [_attachment(shared.network_name, role)],
        # Joined through networks_advanced; "bridge" is what the engine reports back for such
        # a container, so leaving the provider's default implicit would still match, but
        # spelling it out keeps the plan readable and the diff empty.
        "network_mode": "bridge",
    }


def _identity_and_privileges() -> dict[str, Any]:
    return {
        "user": f"{RUNTIME_UID}:{RUNTIME_GID}",
        "privileged": False,
        "read_only": True,
        "tmpfs": {SCRATCH_PATH: SCRATCH_TMPFS_OPTIONS},
        "capabilities": docker.ContainerCapabilitiesArgs(drops=["ALL"]),
        "security_opts": [NO_NEW_PRIVILEGES],
    }


def _resource_limits(baseline: ContainerBaseline) -> dict[str, Any]:
    memory_mib = whole_mebibytes(baseline.memory_limit_bytes)
    return {
        "memory": memory_mib,
        # Swap equal to the limit means no swap at all: the limit is the real ceiling.
        "memory_swap": memory_mib,
        "memory_reservation": whole_mebibytes(baseline.memory_reservation_bytes),
        "cpus": provider_cpus(baseline.cpu_limit),
        "cpu_shares": cpu_shares(baseline.cpu_reservation),
        # The process cap is not here: the provider has no pids_limit, see pids_limit.py.
    }


def _lifecycle(baseline: ContainerBaseline) -> dict[str, Any]:
    return {
        "restart": baseline.restart_policy,
        "must_run": True,
        # Explicit, or the engine's daemon.json defaults leak in and differ per host.
        "log_driver": LOG_DRIVER,
        "log_opts": {"max-size": baseline.log_max_size, "max-file": str(baseline.log_max_files)},
    }


def _labels(labels: dict[str, str]) -> list[docker.ContainerLabelArgs]:
    return [docker.ContainerLabelArgs(label=key, value=labels[key]) for key in sorted(labels)]


def _attachment(network_name: pulumi.Input[str], role: str) -> docker.ContainerNetworksAdvancedArgs:
    # The container name resolves on a user-defined network anyway; the role alias lets
    # peers say "dashboard" without knowing the stack.
    return docker.ContainerNetworksAdvancedArgs(name=network_name, aliases=[role])


def _fixed_name_options(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """Options for a container with a fixed name (and maybe a fixed host port).

    Every input change replaces the container. The provider's in-place update applies
    only restart, cpu_shares, memory, memory_reservation and cpu_set; it reports success
    for mounts, ports, networks, tmpfs, health check, labels, log options and memory_swap
    and leaves the running container as it was, so state and engine disagree. A new
    container is the only way such a change is really made.

    The provider would create the replacement before deleting the old container, and
    both would claim the same name and port. Deleting first costs a short outage on
    every replacement; that downtime is accepted and counted in the benchmarks.
    """
    return pulumi.ResourceOptions(
        parent=parent, delete_before_replace=True, replace_on_changes=["*"]
    )
