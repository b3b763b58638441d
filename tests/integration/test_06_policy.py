"""The policy pack, run by the real `pulumi preview --policy-pack`."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from tests.deployment import ROOT, _pulumi_command, toolchain_env

pytestmark = pytest.mark.docker

BAD_PROGRAM = ROOT / "tests" / "fixtures" / "bad_program"


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
