"""`python -m ops.releases list|rollback|unpin STACK [RELEASE]`: a stack's releases.

A release is an app image the stack built (its repository ``ticket-dashboard-<stack>``),
named by 12 hex digits of its ID. ``rollback`` pins one (``ticket-dashboard:release``, by
default the one built before the running release) and runs an ordinary ``pulumi up``, so
state and preview stay truthful and nothing is rebuilt; ``unpin`` (run by ``make up``)
drops the pin, so the next up deploys app/ as it is. Run through ``bootstrap.run``, which
puts the stack's pulumi on PATH.
"""

from __future__ import annotations

import subprocess
import sys

from ticket_dashboard.config import full_key
from ticket_dashboard.naming import stack_naming
from ticket_dashboard.releases import (
    Release,
    ReleaseNotFound,
    engine_client,
    find_release,
    previous_release,
    stack_releases,
)

PIN_KEY = full_key("release")


def pulumi(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pulumi", *args], capture_output=True, text=True, check=check)


def running_release(stack: str) -> str | None:
    found = pulumi("stack", "output", "release", "--stack", stack, check=False)
    return found.stdout.strip() or None


def pinned_release(stack: str) -> str | None:
    found = pulumi("config", "get", PIN_KEY, "--stack", stack, check=False)
    return found.stdout.strip() or None


def releases_of(stack: str) -> list[Release]:
    client = engine_client()
    try:
        return stack_releases(client, stack_naming(stack).image_repository)
    finally:
        client.close()


def show(stack: str) -> int:
    releases, running, pinned = releases_of(stack), running_release(stack), pinned_release(stack)
    if not releases:
        print(f"releases: stack {stack} has built none yet; `make up STACK={stack}` builds one")
        return 1
    print(f"{'RELEASE':<14}{'BUILT':<22}NOTE")
    for release in releases:
        notes = [
            n
            for n, on in (("running", release.id == running), ("pinned", release.id == pinned))
            if on
        ]
        print(f"{release.id:<14}{release.created[:19]:<22}{', '.join(notes)}")
    return 0


def rollback(stack: str, wanted: str | None) -> int:
    releases, running = releases_of(stack), running_release(stack)
    try:
        target = (
            find_release(releases, wanted) if wanted else previous_release(releases, running or "")
        )
    except ReleaseNotFound as error:
        print(f"rollback: {error}", file=sys.stderr)
        return 1
    if target is None:
        print(
            f"rollback: no release older than {running}; `make releases` lists them",
            file=sys.stderr,
        )
        return 1
    print(f"rollback: {stack} from {running} to {target.id} (built {target.created[:19]}) ...")
    pulumi("config", "set", PIN_KEY, target.id, "--stack", stack)
    up = subprocess.run(["pulumi", "up", "--yes", "--skip-preview", "--stack", stack], check=False)
    if up.returncode != 0:
        print(
            f"rollback: pulumi up failed; the pin stays ({PIN_KEY}={target.id}): fix and rerun "
            f"`make rollback STACK={stack} TO={target.id}`, or `make up` to deploy app/",
            file=sys.stderr,
        )
        return up.returncode
    print(f"rollback: {stack} runs {target.id}; `make up STACK={stack}` deploys app/ again")
    return 0


def unpin(stack: str) -> int:
    pinned = pinned_release(stack)
    if pinned:
        pulumi("config", "rm", PIN_KEY, "--stack", stack)
        print(f"releases: pin {pinned} removed; deploying app/ as it is")
    return 0


def main(argv: list[str]) -> int:
    commands = {"list": lambda: show(argv[1]), "unpin": lambda: unpin(argv[1])}
    commands["rollback"] = lambda: rollback(argv[1], argv[2] if len(argv) > 2 and argv[2] else None)
    if len(argv) < 2 or argv[0] not in commands:
        print("usage: python -m ops.releases list|rollback|unpin STACK [RELEASE]", file=sys.stderr)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
