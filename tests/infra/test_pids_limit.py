"""The per-container process cap is real: forks beyond pidsLimit fail inside each replica."""

from __future__ import annotations

import errno

import pytest

pytestmark = pytest.mark.docker

# Forks sleeping children until the kernel refuses, then kills and reaps every one of them.
# Bounded: it never tries more than the limit plus a margin.
FORK_UNTIL_REFUSED = """
import os, signal, sys, time
limit, children, refused = int(sys.argv[1]), [], 0
try:
    for _ in range(limit + 16):
        try:
            pid = os.fork()
        except OSError as error:
            refused = error.errno
            break
        if pid == 0:
            time.sleep(120)
            os._exit(0)
        children.append(pid)
finally:
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    for pid in children:
        os.waitpid(pid, 0)
print(len(children), refused)
"""


def _process_count(host, name: str) -> int:
    """The container's own processes; Docker's health-check probe, which execs into it
    every few seconds, comes and goes on its own and is not counted."""
    rows = host.check_output(f"docker top {name} -eo pid,args").splitlines()[1:]
    return len([row for row in rows if "dashboard.healthcheck" not in row])


def test_forking_past_pids_limit_fails_and_everything_is_cleaned_up(host, replica_name, config):
    name = replica_name
    before = _process_count(host, name)
    result = host.run(
        f"docker exec {name} python -c '{FORK_UNTIL_REFUSED}' {config.limits.pids_limit}"
    )
    assert result.rc == 0, result.stderr
    started, refused = (int(field) for field in result.stdout.split())
    assert refused == errno.EAGAIN
    # The server's own processes and threads count against the same cap.
    assert 0 < started < config.limits.pids_limit
    assert _process_count(host, name) == before
