"""The policy pack, run by the real `pulumi preview --policy-pack` and `pulumi up --policy-pack`."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from tests.deployment import ROOT, _pulumi_command, inspect, toolchain_env

pytestmark = pytest.mark.docker

BAD_PROGRAM = ROOT / "tests" / "fixtures" / "bad_program"
BASELINE_MODULE = ("infra", "ticket_dashboard", "containers", "hardened.py")
SAFE_BASELINE = "read_only_root=True,"
WEAKENED_BASELINE = "read_only_root=False,"


def test_the_deployed_program_passes_the_policy_pack(deployed):
    result = deployed.preview(policy_packs=[str(deployed.project_dir / "policy")])
    assert set(result.change_summary) == {"same"}


def test_a_program_that_breaks_the_baseline_is_rejected(tmp_path):
    env = toolchain_env("bad-program", tmp_path / "state")
    stack = auto.create_stack(
        "policy-fixture",
        work_dir=str(BAD_PROGRAM),
        opts=auto.LocalWorkspaceOptions(env_vars=env, pulumi_command=_pulumi_command(env)),
    )
    try:
        with pytest.raises(auto.CommandError) as raised:
            stack.preview(policy_packs=[str(ROOT / "policy")], color="never")
    finally:
        stack.workspace.remove_stack("policy-fixture", force=True)
    output = str(raised.value)
    assert "container-not-privileged" in output
    assert "container-memory-limit" in output
    assert "mandatory" in output


def test_an_up_that_weakens_the_baseline_is_stopped_and_changes_nothing(deployed):
    # What `make up` runs (--policy-pack policy): the project copy's HARDENING made weaker.
    if deployed.project_dir == ROOT:
        pytest.skip("edits the program: only on a throwaway stack's copy of the project")
    before = {name: inspect(name)["Id"] for name in deployed.containers()}
    outputs = dict(deployed.outputs)
    baseline = deployed.project_dir.joinpath(*BASELINE_MODULE)
    original = baseline.read_text()
    assert original.count(SAFE_BASELINE) == 1, f"{SAFE_BASELINE!r} not in HARDENING any more"
    baseline.write_text(original.replace(SAFE_BASELINE, WEAKENED_BASELINE))
    try:
        with pytest.raises(auto.CommandError) as raised:
            deployed.up()
    finally:
        baseline.write_text(original)
    output = str(raised.value)
    assert "container-read-only-rootfs" in output
    assert "root filesystem is writable" in output
    assert "mandatory" in output
    after = {name: inspect(name) for name in deployed.containers()}
    assert {name: state["Id"] for name, state in after.items()} == before
    assert all(state["HostConfig"]["ReadonlyRootfs"] for state in after.values())
    assert {key: stored.value for key, stored in deployed.stack.outputs().items()} == outputs
    deployed.preview(expect_no_changes=True)
