"""A stack deployed by an earlier program keeps its URL when this program upgrades it.

The earlier program is ef9db16's, the last before the proxy: there the dashboard
container itself published the port. The port choice must count that port as the
stack's own (ports.py), and the proxy must take it over from the old container
(an alias in proxy.py) rather than pick the next free port. The stack is its own
throwaway, deployed from that commit's files (git archive), upgraded from a copy of
this project, and destroyed at the end, pass or fail.
"""

from __future__ import annotations

import io
import secrets
import shutil
import subprocess
import tarfile

import pytest
import requests
from pulumi import automation as auto

from tests import deployment as stacks

pytestmark = pytest.mark.docker

BEFORE_THE_PROXY = "ef9db16"
OLD_PARTS = ("Pulumi.yaml", "pyproject.toml", "infra", "app", "policy")
# Keys both programs know (the old one refuses any key it does not).
SETTINGS = {"bindAddress": "127.0.0.1", "protectData": "false", "requireApiToken": "false"}


def _old_project(destination):
    archive = subprocess.run(
        ["git", "-C", str(stacks.ROOT), "archive", BEFORE_THE_PROXY, *OLD_PARTS],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.fail(f"git archive {BEFORE_THE_PROXY} failed (a shallow clone?): {archive.stderr!r}")
    destination.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        for member in tar.getmembers():  # git's own archive of this repository
            tar.extract(member, destination)
    shutil.copytree(stacks.ROOT / "app" / "wheelhouse", destination / "app" / "wheelhouse")
    (destination / ".venv").symlink_to(stacks.ROOT / ".venv")
    (destination / "infra" / ".venv").symlink_to(stacks.ROOT / ".venv")
    return destination


def _workspace(name, work_dir, env):
    options = auto.LocalWorkspaceOptions(
        env_vars=env, pulumi_command=stacks._pulumi_command(env), secrets_provider="passphrase"
    )
    return options, str(work_dir)


def test_an_upgraded_stack_keeps_its_url(tmp_path, progress):
    name = f"up-{secrets.token_hex(3)}"
    env = stacks.toolchain_env(name, tmp_path / "state")
    old_dir = _old_project(tmp_path / "old")
    seed = secrets.randbelow(200)
    values = {
        **SETTINGS,
        "subnet": f"172.31.{seed + 20}.0/24",
        "portRange": f"{4400 + 5 * seed}-{4404 + 5 * seed}",
        "ticketsDir": str(stacks.copy_tickets(tmp_path / "tickets")),
    }
    options, work_dir = _workspace(name, old_dir, env)
    old = auto.create_stack(name, work_dir=work_dir, opts=options)
    upgraded = None
    try:
        old.set_all_config({stacks.key(k): auto.ConfigValue(v) for k, v in values.items()})
        progress(f"test_19: deploying {name} with the program of {BEFORE_THE_PROXY} ...")
        url = old.up(color="never").outputs["url"].value
        new_dir = stacks.copy_project(tmp_path / "new")
        shutil.copy(old_dir / f"Pulumi.{name}.yaml", new_dir / f"Pulumi.{name}.yaml")
        options, work_dir = _workspace(name, new_dir, env)
        upgraded = auto.select_stack(name, work_dir=work_dir, opts=options)
        progress(f"test_19: upgrading {name} (was at {url}) with this program ...")
        after = upgraded.up(color="never", policy_packs=[str(new_dir / "policy")])
        assert after.outputs["url"].value == url
        assert requests.get(url + "/health", timeout=5).status_code == 200
        upgraded.preview(color="never", expect_no_changes=True)
    finally:
        (upgraded or old).destroy(color="never")
        old.workspace.remove_stack(name)
        stacks.remove_releases(name)
