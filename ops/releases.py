"""`python -m ops.releases list|rollback|unpin STACK [RELEASE]`: a stack's releases.

A release is an app image the stack built (its repository ``ticket-dashboard-<stack>``),
named by 12 hex digits of its ID. ``list`` shows each with its SBOM (sbom.py) and whether
it ran healthy (the stack output ``healthy_releases``, release_pruning.py). ``rollback``
pins one (``ticket-dashboard:release``, by default the newest release built before the
running one that ran healthy) and runs an ordinary ``pulumi up``, so state and preview stay
truthful and nothing is rebuilt; ``unpin`` (run by ``make up``) drops the pin, so the next
up deploys app/ as it is. Run through ``bootstrap.run``, which puts the stack's pulumi on
PATH.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Collection, Sequence
from pathlib import Path

from ticket_dashboard.dynamic.sbom import SBOM_DIR, sbom_path
from ticket_dashboard.naming import stack_naming
from ticket_dashboard.project import PROJECT_ROOT
from ticket_dashboard.releases import (
    Release,
    ReleaseNotFound,
    engine_client,
    find_release,
    rollback_target,
    stack_releases,
)
from ticket_dashboard.settings.types import full_key

PIN_KEY = full_key("release")
HEALTHY_OUTPUT = "healthy_releases"
NO_SBOM = "no SBOM"


def pulumi(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pulumi", *args], capture_output=True, text=True, check=check)


def running_release(stack: str) -> str | None:
    found = pulumi("stack", "output", "release", "--stack", stack, check=False)
    return found.stdout.strip() or None


def healthy_releases(stack: str) -> list[str]:
    """The releases that ran healthy, most recent run first; none before the record existed."""
    found = pulumi("stack", "output", HEALTHY_OUTPUT, "--json", "--stack", stack, check=False)
    try:
        recorded = json.loads(found.stdout or "null")
    except json.JSONDecodeError:
        return []
    return [str(release) for release in recorded] if isinstance(recorded, list) else []


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
    releases = releases_of(stack)
    if not releases:
        print(f"releases: stack {stack} has built none yet; `make up STACK={stack}` builds one")
        return 1
    rows = release_rows(
        releases,
        running=running_release(stack),
        pinned=pinned_release(stack),
        healthy=healthy_releases(stack),
        repository=stack_naming(stack).image_repository,
    )
    print("\n".join(rows))
    return 0


def release_rows(
    releases: Sequence[Release],
    *,
    running: str | None,
    pinned: str | None,
    healthy: Collection[str],
    repository: str,
    sbom_dir: Path = SBOM_DIR,
) -> list[str]:
    """The table `make releases` prints: newest first, what each release is, its SBOM."""
    rows = [f"{'RELEASE':<14}{'BUILT':<22}{'NOTE':<30}SBOM"]
    for release in releases:
        notes = [
            note
            for note, on in (
                ("running", release.id == running),
                ("pinned", release.id == pinned),
                ("ran healthy", release.id in healthy),
            )
            if on
        ]
        rows.append(
            f"{release.id:<14}{release.created[:19]:<22}{', '.join(notes):<30}"
            f"{sbom_of(release, repository, sbom_dir)}"
        )
    return rows


def sbom_of(release: Release, repository: str, sbom_dir: Path = SBOM_DIR) -> str:
    path = sbom_path(repository, release.image_id, sbom_dir)
    if not path.is_file():
        return NO_SBOM
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def rollback(stack: str, wanted: str | None) -> int:
    releases, running = releases_of(stack), running_release(stack)
    try:
        target = (
            find_release(releases, wanted)
            if wanted
            else rollback_target(releases, running, healthy_releases(stack))
        )
    except ReleaseNotFound as error:
        print(f"rollback: {error}", file=sys.stderr)
        return 1
    if target is None:
        print(
            f"rollback: no release built before {running} is recorded as having run healthy; "
            f"`make releases STACK={stack}` lists them: name one with TO=<release>",
            file=sys.stderr,
        )
        return 1
    print(f"rollback: {stack} from {running} to {target.id} (built {target.created[:19]}) ...")
    pulumi("config", "set", PIN_KEY, target.id, "--stack", stack)
    # The same policy pack as `make up`: a rollback is an ordinary update of the stack.
    command = [
        "pulumi",
        "up",
        "--yes",
        "--skip-preview",
        "--stack",
        stack,
        "--policy-pack",
        "policy",
    ]
    up = subprocess.run(command, check=False)
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
