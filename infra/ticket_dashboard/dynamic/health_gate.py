"""Waits until a new replica is ready to be routed, and says why not when it never is.

The provider's own ``wait`` gives up with "container failed to be in healthy state" and
nothing else, after waiting out the whole timeout even for a container that has already
exited. This gate asks the engine instead. It fails as soon as the container is unhealthy
or has stopped, with the last health-check output and the last log lines in the error.
Deletes of replaced resources come last in an update, so while a gate fails the old
replicas are never deleted: a failed release leaves the previous one serving.

Docker's health check is liveness (/health), which a replica passes long before its first
index of a large tree is done; the proxy routes to it only once /ready answers 200. So
once the container is healthy the gate also asks /ready, and opens only on a 200: else
the old replicas could be deleted while the proxy had no new one to route to. The
replica's port is not published and the engine may be remote, so it asks through the
engine: an exec of the image's own probe in the container (READY_PROBE).
"""

import contextlib
import time
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

from ticket_dashboard.project import CONFIG_NAMESPACE
from ticket_dashboard.workload import HEALTHCHECK_COMMAND

POLL_SECONDS = 0.5
"""Between inspects while Docker's health is still "starting" (an inspect costs the
container nothing)."""
READY_POLL_SECONDS = 1.0
"""Between readiness probes. Each exec costs the replica about 40 ms of CPU (Python's
start), taken from its first index: 8 % of a 0.5 CPU limit at one probe a second. Measured
at 10,000 tickets: an exec takes 70 ms on an idle replica at 0.5 CPU, 200 ms while it
indexes, 400 ms at 0.25 CPU; probing every 0.2 s slowed the index by about a third."""
READY_PROBE = (*HEALTHCHECK_COMMAND, "--path", "/ready")
PROBE_USAGE_ERROR = 2
"""argparse's exit code: the image's probe has no --path (built before it had one)."""
LOG_LINES = 5


class HealthGateProvider(ResourceProvider):
    """Everything is imported inside the methods: the provider runs in its own process."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        import docker

        client = docker.from_env()
        try:
            opened = wait_until_ready(
                client, props["container_id"], float(props["timeout_seconds"])
            )
        finally:
            client.close()
        return CreateResult(id_=props["container_id"], outs={**props, **opened})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Only a new container needs waiting for; a new timeout alone changes nothing.
        replaced = olds.get("container_id") != news.get("container_id")
        return DiffResult(changes=replaced, replaces=["container_id"] if replaced else [])

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class ContainerNeverHealthy(Exception):
    """The message names the container, its state, the last check output and logs."""


def wait_until_ready(client: Any, container_id: str, timeout_seconds: float) -> dict[str, Any]:
    """Returns when Docker says healthy and /ready answers 200: what the gate waited for,
    and after how many seconds the replica was live and ready (kept in the gate's state)."""
    started = time.monotonic()
    deadline = started + timeout_seconds
    live_after: float | None = None
    not_ready = ""
    while True:
        attrs = client.api.inspect_container(container_id)
        health = _health(attrs)
        if health == "unhealthy" or not attrs["State"].get("Running"):
            _give_up(client, container_id, _why(client, attrs, health))
        if health == "healthy":
            live_after = live_after if live_after is not None else time.monotonic() - started
            exit_code, not_ready = _ask_ready(client, container_id)
            if exit_code in (0, PROBE_USAGE_ERROR):
                return _opened(exit_code == 0, live_after, time.monotonic() - started)
        if time.monotonic() >= deadline:
            _give_up(client, container_id, _timed_out(client, attrs, timeout_seconds, not_ready))
        time.sleep(READY_POLL_SECONDS if health == "healthy" else POLL_SECONDS)


def _health(attrs: dict[str, Any]) -> str:
    return (attrs["State"].get("Health") or {}).get("Status", "none")


def _ask_ready(client: Any, container_id: str) -> tuple[int | None, str]:
    """The probe's exit code and its one line; no code when the engine could not run it
    (the container stopped meanwhile: the next inspect says so)."""
    import docker

    try:
        exec_id = client.api.exec_create(container_id, list(READY_PROBE))["Id"]
        output = client.api.exec_start(exec_id).decode(errors="replace").strip()
        exit_code = client.api.exec_inspect(exec_id)["ExitCode"]
    except docker.errors.APIError as error:
        return None, f"the readiness probe could not run: {error.explanation or error}"
    return exit_code, output


def _opened(ready: bool, live_after: float, ready_after: float) -> dict[str, Any]:
    # An image built before the probe had --path (an old release being rolled back to)
    # can only prove liveness: the gate opens on it, as it did before, and says so.
    return {
        "waited_for": "ready" if ready else "live (the image's probe cannot ask /ready)",
        "live_after_seconds": round(live_after, 1),
        "ready_after_seconds": round(ready_after, 1),
    }


def _give_up(client: Any, container_id: str, why: str) -> None:
    """Stop the failed replica before failing: left running, it would hold the proxy's
    server slots that the next release's replicas need (measured: ~4 s of 503s on the
    `up` after a failed one). The next `up` replaces it; it stays in state until then."""
    import docker

    with contextlib.suppress(docker.errors.APIError):
        client.api.stop(container_id, timeout=1)
    raise ContainerNeverHealthy(why)


def _why(client: Any, attrs: dict[str, Any], health: str) -> str:
    name = attrs["Name"].lstrip("/")
    checks = (attrs["State"].get("Health") or {}).get("Log") or []
    last_check = checks[-1]["Output"].strip() if checks else "(no check has run yet)"
    return (
        f"container {name} did not become healthy: {health}, "
        f"status {attrs['State'].get('Status')} (exit code {attrs['State'].get('ExitCode')}).\n"
        f"Last health check: {last_check or '(no output)'}\n"
        f"{_last_logs(client, attrs)}\n"
        "The previous release keeps serving. Fix the app and run `make up` again, or "
        "`make rollback` to pin the previous release."
    )


def _timed_out(client: Any, attrs: dict[str, Any], timeout_seconds: float, probe: str) -> str:
    health = _health(attrs)
    if health == "healthy":
        return _not_ready(client, attrs, timeout_seconds, probe)
    return _why(client, attrs, f"{health} after {timeout_seconds:g}s")


def _not_ready(client: Any, attrs: dict[str, Any], timeout_seconds: float, probe: str) -> str:
    name = attrs["Name"].lstrip("/")
    return (
        f"container {name} is live but not ready after {timeout_seconds:g}s: "
        f"{probe or '(the readiness probe said nothing)'}\n"
        f"{_last_logs(client, attrs)}\n"
        "The previous release keeps serving. A large ticket tree's first index can take "
        f"longer than this wait ({timeout_seconds:g}s): raise it (`pulumi config set "
        f"{CONFIG_NAMESPACE}:healthWaitTimeoutSeconds <seconds>`) and run `make up` again; "
        "otherwise fix what /ready names, or `make rollback` to pin the previous release."
    )


def _last_logs(client: Any, attrs: dict[str, Any]) -> str:
    logs = client.api.logs(attrs["Id"], tail=LOG_LINES).decode(errors="replace").strip()
    return f"Last {LOG_LINES} log lines:\n{logs or '(none)'}"


class HealthGate(Resource):
    """Created once ``container_id`` is healthy and ready; fails with the reason when not."""

    def __init__(
        self,
        name: str,
        container_id: pulumi.Input[str],
        timeout_seconds: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            HealthGateProvider(),
            name,
            {"container_id": container_id, "timeout_seconds": timeout_seconds},
            opts,
        )
