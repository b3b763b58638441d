"""`python -m ops.converge STACK`: make a stack fit for `pulumi up` after any interruption.

`make up` runs this first. In order:
1. locks: a lock left by a dead run on this host is deleted (one line says so); a live
   lock, or one from another host, stops here with who holds it and how to clear it;
2. pending operations: `pulumi refresh --clear-pending-creates` reconciles the state with
   the engine (pending deletes and updates are read back; pending creates are dropped
   from the state, and what they created is an orphan for step 3);
3. orphans (ops/orphans.py): labelled objects the state does not know are removed
   (containers, after a graceful stop; networks) or adopted (volumes).
A stack with none of these costs one `pulumi stack export` and prints nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping

import docker

from ops.locks import StackLocked, clear_stale_locks
from ops.orphans import find_orphans, resolve
from ops.stack_state import StackState, StackStateUnreadable, export_state
from ticket_dashboard.project import PROJECT_NAME


def clear_pending(
    stack: str, state: StackState, env: Mapping[str, str], say: Callable[[str], None]
) -> None:
    count = len(state.pending)
    say(f"converge: stack {stack} has {count} pending operation(s) of an interrupted run:")
    for operation in state.pending:
        say(f"  {operation}")
    say("converge: pulumi refresh --clear-pending-creates (reads every resource back) ...")
    subprocess.run(
        [
            "pulumi", "refresh", "--yes", "--skip-preview", "--clear-pending-creates",
            "--stack", stack, "--color", "never", "--suppress-progress", "--suppress-outputs",
        ],
        check=True, env=dict(env),
    )  # fmt: skip


def converge(
    stack: str, env: Mapping[str, str], client: docker.DockerClient, say: Callable[[str], None]
) -> None:
    clear_stale_locks(stack, PROJECT_NAME, env, say)
    state = export_state(stack, env)
    if state.pending:
        clear_pending(stack, state, env, say)
        state = export_state(stack, env)
    resolve(client, find_orphans(client, stack, state), say)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ops.converge STACK", file=sys.stderr)
        return 2
    stack = argv[0]
    client = docker.from_env()
    try:
        converge(stack, os.environ, client, print)
    except (StackLocked, StackStateUnreadable) as error:
        print(f"converge: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(
            f"converge: `{' '.join(error.cmd[:3])}` failed (exit {error.returncode}); its "
            f"output is above. Fix what it names, then `make up STACK={stack}` again.",
            file=sys.stderr,
        )
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
