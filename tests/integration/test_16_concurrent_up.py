"""Two `up`s at once: the second is refused with who holds the stack, the first finishes.

Pulumi's own refusal advises `pulumi cancel`, which would break the live run. `make up`'s
first step (ops.converge) sees that the lock's process is alive and says so instead, with
its pid, user, host and start, and does not touch the stack.
"""

from __future__ import annotations

import time

import pytest

from ops.locks import lock_dir, read_locks
from ticket_dashboard.project import PROJECT_NAME

from .interrupt import change_app, cli_env, converge, run_cli, start_up

pytestmark = pytest.mark.docker


def _wait_for_lock(deployed, timeout: float = 60) -> list:
    directory = lock_dir(cli_env(deployed)["PULUMI_BACKEND_URL"], PROJECT_NAME, deployed.name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if locks := read_locks(directory):
            return locks
        time.sleep(0.1)
    return []


def test_a_second_up_is_refused_with_the_live_holder_and_the_first_finishes(
    deployed, progress, tmp_path
):
    change_app(deployed, "two ups at once (test_16)")
    log = tmp_path / "first.log"
    first = start_up(deployed, log)
    try:
        locks = _wait_for_lock(deployed)
        assert [lock.pid for lock in locks] == [first.pid], locks
        second = converge(deployed)
        progress(f"test_16: the second up said: {second.stderr.strip()}")
        assert second.returncode == 1, second.stdout
        assert "being updated right now" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert "make unlock STACK=" in second.stderr
        # Past the check (a race), pulumi itself refuses: the state is never shared.
        racing = run_cli(
            deployed, ["pulumi", "up", "--yes", "--skip-preview", "--stack", deployed.name], 120
        )
        assert racing.returncode != 0 and "currently locked" in racing.stdout + racing.stderr
        assert first.wait(timeout=300) == 0, log.read_text()
    finally:
        if first.poll() is None:
            first.kill()
    assert not _wait_for_lock(deployed, timeout=0.5)
    deployed.refresh_outputs()
    deployed.wait_ready()
    deployed.preview(expect_no_changes=True)
