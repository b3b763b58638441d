"""The policy pack's rules, on what the program really declares and on single changes to it."""

import dataclasses
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest

from policy.container_rules import (
    RULES,
    drops_all_capabilities,
    has_healthcheck,
    memory_limited_without_swap,
    no_docker_socket,
    no_new_privileges,
    not_privileged,
    read_only_root_filesystem,
    rotates_logs,
    scratch_is_inert,
    user_not_root,
    violations,
)
from ticket_dashboard.containers import hardened
from ticket_dashboard.containers.hardened import HARDENING, Hardening
from ticket_dashboard.naming import ROLES

from .harness import CONTAINER_TYPE, PROJECT_ROOT, ProgramRun, deployable_config, run_program


@pytest.fixture
def good(monkeypatch: pytest.MonkeyPatch, tickets_dir: Path) -> dict[str, Any]:
    """The dashboard container's inputs as the dev program declares them."""
    return _container_props(monkeypatch, tickets_dir)


def _container_props(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, role: str = "dashboard"
) -> dict[str, Any]:
    config, secret_keys = deployable_config("dev", tickets_dir)
    run = run_program(monkeypatch, "dev", config, secret_keys=secret_keys)
    if run.error is not None:
        raise run.error
    return dict(run.container(role).inputs)


@pytest.fixture
def props_with(good: dict[str, Any]):
    def change(**changes: Any) -> dict[str, Any]:
        props = dict(good)
        for key, value in changes.items():
            if value is None:
                props.pop(key, None)
            else:
                props[key] = value
        return props

    return change


def test_baseline_container_passes_every_rule(good: dict[str, Any]) -> None:
    assert violations(good) == {}


# --- HARDENING is the baseline: accepted as it is, refused when weakened in any one way ---

WEAKER: dict[str, list[Any]] = {
    "user": ["0:0", "root"],
    "privileged": [True],
    "read_only_root": [False],
    "scratch_tmpfs_options": [
        "rw,nosuid,nodev,size=64m",
        "rw,noexec,nodev,size=64m",
        "rw,noexec,nosuid,size=64m",
    ],
    "cap_drop": [(), ("NET_RAW",)],
    "security_opts": [()],
    "log_driver": ["local", "none"],
}


def test_every_fact_of_the_baseline_has_a_weaker_variant() -> None:
    assert WEAKER.keys() == {field.name for field in dataclasses.fields(Hardening)}


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        pytest.param(fact, value, id=f"{fact}={value}")
        for fact, values in WEAKER.items()
        for value in values
    ],
)
def test_policy_refuses_a_baseline_weakened_in_one_fact(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, fact: str, value: Any
) -> None:
    monkeypatch.setattr(hardened, "HARDENING", dataclasses.replace(HARDENING, **{fact: value}))
    assert violations(_container_props(monkeypatch, tickets_dir)) != {}


def test_privileged_container_is_rejected(props_with) -> None:
    assert not_privileged(props_with(privileged=True))


def test_container_without_memory_limit_is_rejected(props_with) -> None:
    assert memory_limited_without_swap(props_with(memory=None, memorySwap=None))


def test_container_with_swap_beyond_memory_is_rejected(props_with) -> None:
    assert memory_limited_without_swap(props_with(memorySwap=1024))


@pytest.mark.parametrize("user", [None, "", "root", "0", "0:0", "root:1001"])
def test_root_user_is_rejected(props_with, user: str | None) -> None:
    assert user_not_root(props_with(user=user))


def test_writable_root_filesystem_is_rejected(props_with) -> None:
    assert read_only_root_filesystem(props_with(readOnly=False))
    assert read_only_root_filesystem(props_with(readOnly=None))


def test_kept_capabilities_are_rejected(props_with) -> None:
    assert drops_all_capabilities(props_with(capabilities=None))
    assert drops_all_capabilities(props_with(capabilities={"drops": ["NET_RAW"]}))


def test_missing_no_new_privileges_is_rejected(props_with) -> None:
    assert no_new_privileges(props_with(securityOpts=None))
    assert not no_new_privileges(props_with(securityOpts=["no-new-privileges:true"]))


@pytest.mark.parametrize(
    "changes",
    [
        {"mounts": [{"target": "/s", "type": "bind", "source": "/var/run/docker.sock"}]},
        {"mounts": [{"target": "/r", "type": "bind", "source": "/run"}]},
        {"volumes": [{"containerPath": "/s", "hostPath": "/var/run/docker.sock"}]},
        {"mounts": [{"target": "/s", "type": "bind", "source": "/home/u/.docker/docker.sock"}]},
    ],
)
def test_docker_socket_mount_is_rejected(props_with, changes: dict[str, Any]) -> None:
    assert no_docker_socket(props_with(**changes))


def test_a_tmpfs_that_can_run_or_hold_devices_is_rejected(props_with) -> None:
    assert scratch_is_inert(props_with(tmpfs={"/tmp": "rw,size=64m"}))
    assert not scratch_is_inert(props_with(tmpfs={"/tmp": "rw,nodev,noexec,nosuid"}))


def test_missing_or_disabled_healthcheck_is_rejected(props_with) -> None:
    assert has_healthcheck(props_with(healthcheck=None))
    assert has_healthcheck(props_with(healthcheck={"tests": ["NONE"]}))


def test_unrotated_logs_are_rejected(props_with) -> None:
    assert rotates_logs(props_with(logOpts=None))
    assert rotates_logs(props_with(logDriver="syslog"))
    assert rotates_logs(props_with(logOpts={"max-size": "10m"}))


def test_rule_names_are_unique() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize("role", ROLES)
def test_program_containers_pass_the_policy_pack(deployed: ProgramRun, role: str) -> None:
    # Mocks see the same camelCase input properties the policy engine hands the pack.
    containers = deployed.replicas(role)
    assert containers, f"no {role} container"
    for container in containers:
        assert violations(container.inputs) == {}, container.name


class _RecordedPack:
    def __init__(self, name: str, policies: list[Any], enforcement_level: Any) -> None:
        self.name, self.policies, self.enforcement_level = name, policies, enforcement_level


@pytest.fixture
def policy_pack(monkeypatch: pytest.MonkeyPatch) -> _RecordedPack:
    """policy/__main__.py executed as Pulumi runs it, with PolicyPack recorded, not served."""
    packs: list[_RecordedPack] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kw: packs.append(_RecordedPack(**kw)))
    monkeypatch.setattr(sys, "path", [str(PROJECT_ROOT / "policy"), *sys.path])
    runpy.run_path(str(PROJECT_ROOT / "policy"), run_name="__main__")
    (pack,) = packs
    return pack


def _args(props: dict[str, Any], resource_type: str = CONTAINER_TYPE) -> Any:
    return pulumi_policy.ResourceValidationArgs(
        resource_type=resource_type,
        props=props,
        urn="urn:pulumi:test::p::" + resource_type + "::bad",
        name="bad",
        opts=None,  # type: ignore[arg-type]
        provider=None,
    )


def _reported(pack: _RecordedPack, args: Any) -> dict[str, list[str]]:
    reported: dict[str, list[str]] = {}
    for policy in pack.policies:
        policy.validate(
            args,
            lambda message, _urn, name=policy.name: reported.setdefault(name, []).append(message),
        )
    return reported


def test_policy_pack_makes_every_rule_mandatory(policy_pack: _RecordedPack) -> None:
    assert policy_pack.enforcement_level == pulumi_policy.EnforcementLevel.MANDATORY
    assert [policy.name for policy in policy_pack.policies] == [rule.name for rule in RULES]


def test_policy_pack_reports_a_privileged_container(policy_pack: _RecordedPack, props_with) -> None:
    reported = _reported(policy_pack, _args(props_with(privileged=True, memory=None)))
    assert {"container-not-privileged", "container-memory-limit"} == reported.keys()


def test_policy_pack_ignores_other_resource_types(policy_pack: _RecordedPack) -> None:
    assert _reported(policy_pack, _args({}, "docker:index/network:Network")) == {}
