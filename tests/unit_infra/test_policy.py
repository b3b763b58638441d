"""The policy pack's rules, on hand-written props and on what the program really declares."""

import runpy
import sys
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
    user_not_root,
    violations,
)

from .harness import CONTAINER_TYPE, PROJECT_ROOT, ProgramRun

GOOD: dict[str, Any] = {
    "image": "sha256:abc",
    "user": "1001:1001",
    "privileged": False,
    "readOnly": True,
    "memory": 512,
    "memorySwap": 512,
    "capabilities": {"drops": ["ALL"]},
    "securityOpts": ["no-new-privileges"],
    "mounts": [{"target": "/data", "type": "volume", "source": "data", "readOnly": False}],
    "healthcheck": {"tests": ["CMD", "python", "-c", "pass"], "interval": "10s"},
    "logDriver": "json-file",
    "logOpts": {"max-size": "10m", "max-file": "3"},
}


def _with(**changes: Any) -> dict[str, Any]:
    props = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            props.pop(key, None)
        else:
            props[key] = value
    return props


def test_baseline_container_passes_every_rule() -> None:
    assert violations(GOOD) == {}


def test_privileged_container_is_rejected() -> None:
    assert not_privileged(_with(privileged=True))


def test_container_without_memory_limit_is_rejected() -> None:
    assert memory_limited_without_swap(_with(memory=None, memorySwap=None))


def test_container_with_swap_beyond_memory_is_rejected() -> None:
    assert memory_limited_without_swap(_with(memorySwap=1024))


@pytest.mark.parametrize("user", [None, "", "root", "0", "0:0", "root:1001"])
def test_root_user_is_rejected(user: str | None) -> None:
    assert user_not_root(_with(user=user))


def test_writable_root_filesystem_is_rejected() -> None:
    assert read_only_root_filesystem(_with(readOnly=False))
    assert read_only_root_filesystem(_with(readOnly=None))


def test_kept_capabilities_are_rejected() -> None:
    assert drops_all_capabilities(_with(capabilities=None))
    assert drops_all_capabilities(_with(capabilities={"drops": ["NET_RAW"]}))


def test_missing_no_new_privileges_is_rejected() -> None:
    assert no_new_privileges(_with(securityOpts=None))
    assert not no_new_privileges(_with(securityOpts=["no-new-privileges:true"]))


@pytest.mark.parametrize(
    "changes",
    [
        {"mounts": [{"target": "/s", "type": "bind", "source": "/var/run/docker.sock"}]},
        {"mounts": [{"target": "/r", "type": "bind", "source": "/run"}]},
        {"volumes": [{"containerPath": "/s", "hostPath": "/var/run/docker.sock"}]},
        {"mounts": [{"target": "/s", "type": "bind", "source": "/home/u/.docker/docker.sock"}]},
    ],
)
def test_docker_socket_mount_is_rejected(changes: dict[str, Any]) -> None:
    assert no_docker_socket(_with(**changes))


def test_missing_or_disabled_healthcheck_is_rejected() -> None:
    assert has_healthcheck(_with(healthcheck=None))
    assert has_healthcheck(_with(healthcheck={"tests": ["NONE"]}))


def test_unrotated_logs_are_rejected() -> None:
    assert rotates_logs(_with(logOpts=None))
    assert rotates_logs(_with(logDriver="syslog"))
    assert rotates_logs(_with(logOpts={"max-size": "10m"}))


def test_rule_names_are_unique() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize("role", ["dashboard", "backup", "monitor"])
def test_program_containers_pass_the_policy_pack(deployed: ProgramRun, role: str) -> None:
    # Mocks see the same camelCase input properties the policy engine hands the pack.
    assert violations(deployed.container(role).inputs) == {}


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


def test_policy_pack_reports_a_privileged_container(policy_pack: _RecordedPack) -> None:
    reported = _reported(policy_pack, _args(_with(privileged=True, memory=None)))
    assert {"container-not-privileged", "container-memory-limit"} == reported.keys()


def test_policy_pack_ignores_other_resource_types(policy_pack: _RecordedPack) -> None:
    assert _reported(policy_pack, _args({}, "docker:index/network:Network")) == {}
