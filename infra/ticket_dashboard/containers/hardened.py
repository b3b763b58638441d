"""The hardened container factory: the baseline every container of the stack shares.

Dashboard, backup and monitor create their container through ``hardened_container`` and add
only what is theirs (command, env, mounts, ports, health check). The fixed part is one
value, ``HARDENING``: the program renders it here, the image tests run containers with it,
and a test proves the policy pack in policy/ accepts exactly it and refuses each weaker
variant, so changing the baseline is one edit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_docker as docker

from ticket_dashboard.containers.health_check import HealthCheck
from ticket_dashboard.containers.replicas import Replica, create_first_options, replica_name
from ticket_dashboard.dynamic.pids_limit import PidsLimit
from ticket_dashboard.naming import LABEL_RELEASE, StackNaming
from ticket_dashboard.settings.sections import LimitsConfig, LoggingConfig
from ticket_dashboard.units import cpu_shares, provider_cpus, whole_mebibytes
from ticket_dashboard.workload import RUNTIME_GID, RUNTIME_UID, SCRATCH_PATH


@dataclass(frozen=True)
class Hardening:
    """What every container has whatever the stack: identity, privileges, scratch, logs."""

    user: str
    privileged: bool
    read_only_root: bool
    scratch_tmpfs_options: str
    """The scratch tmpfs is the only writable path besides volumes: small, nothing runs."""
    cap_drop: tuple[str, ...]
    security_opts: tuple[str, ...]
    log_driver: str
    """Explicit, or the engine's daemon.json default leaks in and differs per host."""


HARDENING = Hardening(
    user=f"{RUNTIME_UID}:{RUNTIME_GID}",
    privileged=False,
    read_only_root=True,
    scratch_tmpfs_options="rw,noexec,nosuid,nodev,size=64m",
    cap_drop=("ALL",),
    security_opts=("no-new-privileges",),
    log_driver="json-file",
)


@dataclass(frozen=True)
class SharedInputs:
    """What every container of the stack runs with besides ``HARDENING``: the stack's
    names, limits and log rotation, one image and one network."""

    naming: StackNaming
    limits: LimitsConfig
    logging: LoggingConfig
    image: pulumi.Input[str]
    network_name: pulumi.Input[str]

    @property
    def log_level(self) -> str:
        """Every container logs at the stack's level."""
        return self.logging.level


ROLE_EXTRAS = frozenset(
    {"ports", "wait", "wait_timeout", "stop_signal", "stop_timeout", "destroy_grace_seconds"}
)
"""The ``docker.Container`` arguments a role may add; none of them weakens the baseline."""

# Passed by hardened_container itself (name is its own parameter, so Python refuses it).
_SET_BY_HARDENED_CONTAINER = frozenset({"opts"})


def refuse_overrides(baseline: dict[str, Any], extra: dict[str, Any]) -> None:
    """A TypeError naming each key of ``extra`` that the baseline sets, or that is no
    ``ROLE_EXTRAS`` entry: the merge would otherwise let it silently win."""
    taken = sorted(extra.keys() & (baseline.keys() | _SET_BY_HARDENED_CONTAINER))
    if taken:
        raise TypeError(
            f"hardened_container: {', '.join(taken)} is set by the container baseline"
            " (HARDENING, the stack's limits and logging, or hardened_container itself)"
            " and cannot be overridden by a component; change HARDENING in"
            " containers/hardened.py or the stack config instead"
        )
    unknown = sorted(extra.keys() - ROLE_EXTRAS)
    if unknown:
        raise TypeError(
            f"hardened_container: {', '.join(unknown)} is not an argument a role may add"
            f" (ROLE_EXTRAS: {', '.join(sorted(ROLE_EXTRAS))}); if the role needs it and it"
            " weakens nothing, add it to ROLE_EXTRAS in containers/hardened.py"
        )


def hardened_container(
    parent: pulumi.Resource,
    name: str,
    shared: SharedInputs,
    *,
    role: str,
    command: Sequence[str],
    envs: Sequence[pulumi.Input[str]] | pulumi.Output[list[str]],
    mounts: Sequence[docker.ContainerMountArgs],
    health_check: HealthCheck,
    replica: Replica | None = None,
    **extra: Any,
) -> docker.Container:
    """The ``<name>-container`` of a component: the baseline plus what only ``role`` has.

    ``extra`` takes the further ``docker.Container`` arguments in ``ROLE_EXTRAS`` (ports,
    wait, stop behaviour) for the roles that need them. Any other key, above all one the
    baseline sets, is a TypeError (``refuse_overrides``): a component cannot weaken the
    baseline. A ``replica`` is named per release and replaced create-first.
    """
    naming = shared.naming
    labels: dict[str, pulumi.Input[str]] = {**naming.labels(role)}
    if replica is not None:
        labels[LABEL_RELEASE] = replica.release
    args = {
        "image": shared.image,
        "command": list(command),
        # An Output when the env depends on other resources (the monitor's URLs).
        "envs": envs if isinstance(envs, pulumi.Output) else list(envs),
        "mounts": list(mounts),
        "healthcheck": health_check.as_args(),
        "labels": _labels(labels),
        "networks_advanced": [_attachment(shared.network_name, role)],
        # Joined through networks_advanced; "bridge" is what the engine reports back for such
        # a container, so leaving the provider's default implicit would still match, but
        # spelling it out keeps the plan readable and the diff empty.
        "network_mode": "bridge",
        **_identity_and_privileges(HARDENING),
        **_resource_limits(shared.limits),
        **_lifecycle(shared.limits, shared.logging),
    }
    refuse_overrides(args, extra)
    args.update(extra)
    if replica is None:
        container_name: pulumi.Input[str] = naming.container(role)
        opts = _fixed_name_options(parent)
    else:
        container_name = replica_name(parent, name, naming, role, replica, args)
        opts = create_first_options(parent)
    container = docker.Container(f"{name}-container", name=container_name, **args, opts=opts)
    PidsLimit(
        f"{name}-pids-limit",
        container.id,
        shared.limits.pids_limit,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return container


def _identity_and_privileges(hardening: Hardening) -> dict[str, Any]:
    return {
        "user": hardening.user,
        "privileged": hardening.privileged,
        "read_only": hardening.read_only_root,
        "tmpfs": {SCRATCH_PATH: hardening.scratch_tmpfs_options},
        "capabilities": docker.ContainerCapabilitiesArgs(drops=list(hardening.cap_drop)),
        "security_opts": list(hardening.security_opts),
    }


def _resource_limits(limits: LimitsConfig) -> dict[str, Any]:
    memory_mib = whole_mebibytes(limits.memory_limit)
    return {
        "memory": memory_mib,
        # Swap equal to the limit means no swap at all: the limit is the real ceiling.
        "memory_swap": memory_mib,
        "memory_reservation": whole_mebibytes(limits.memory_reservation),
        "cpus": provider_cpus(limits.cpu_limit),
        "cpu_shares": cpu_shares(limits.cpu_reservation),
        # The process cap is not here: the provider has no pids_limit, see pids_limit.py.
    }


def _lifecycle(limits: LimitsConfig, logging: LoggingConfig) -> dict[str, Any]:
    return {
        "restart": limits.restart_policy,
        "must_run": True,
        "log_driver": HARDENING.log_driver,
        "log_opts": {"max-size": logging.max_size, "max-file": str(logging.max_files)},
    }


def _labels(labels: dict[str, pulumi.Input[str]]) -> list[docker.ContainerLabelArgs]:
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
