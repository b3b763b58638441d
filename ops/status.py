"""`python3 -m ops.status STACK`: is the stack up, seen the way its users reach it?

Docker's health checks and the monitor look from inside Docker; a dead published port
(the host side of the port mapping) shows in neither. This asks the published URL from
the host, as a browser would, and prints each container's Docker health beside it. Exit 0
when the URL answers /health and /ready, 1 when not: fit for cron or a systemd timer.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import docker

from ops.orphans import find_orphans
from ops.stack_state import export_state

TIMEOUT_SECONDS = 2
ROLES = ("proxy", "backup", "monitor")


def stack_outputs(stack: str) -> dict[str, Any]:  # Any: JSON values
    result = subprocess.run(
        ["pulumi", "stack", "output", "--json", "--stack", stack],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"status: no outputs for stack {stack}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def probe(url: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status == 200, f"{response.status}"
    except urllib.error.HTTPError as error:
        return False, f"{error.code} {error.reason}"
    except (urllib.error.URLError, OSError) as error:
        return False, f"no answer ({getattr(error, 'reason', error)})"


def docker_health(container: str) -> str:
    result = subprocess.run(
        ["docker", "inspect", "--format", "{{.State.Status}}/{{.State.Health.Status}}", container],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "missing"


def report_orphans(stack: str) -> None:
    """Objects labelled with the stack that its state does not know (ops/orphans.py)."""
    client = docker.from_env()
    try:
        orphans = find_orphans(client, stack, export_state(stack))
    finally:
        client.close()
    for orphan in orphans:
        print(f"ORPH {orphan}: labelled with stack {stack}, not in its state")
    if orphans:
        print(
            f"status: {len(orphans)} orphan(s); an `up` running right now shows what it is "
            f"creating here. Otherwise `make up STACK={stack}` removes or adopts them."
        )


def main(stack: str) -> int:
    outputs = stack_outputs(stack)
    url = str(outputs["url"])
    healthy = True
    for path in ("/health", "/ready"):
        ok, detail = probe(url + path)
        healthy &= ok
        print(f"{'ok  ' if ok else 'FAIL'} {url}{path}: {detail}")
    containers = [str(outputs[f"{role}_container"]) for role in ROLES]
    containers[1:1] = [str(name) for name in outputs["dashboard_containers"]]
    for container in containers:
        print(f"     {container}: docker {docker_health(container)}")
    report_orphans(stack)
    if not healthy:
        print(
            f"status: {url} does not answer from the host; if Docker says healthy, the port "
            f"mapping is broken: `make up STACK={stack}` recreates what drifted, "
            f"`docker restart {outputs['proxy_container']}` restores the mapping",
            file=sys.stderr,
        )
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
