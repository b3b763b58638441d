"""The program's dynamic providers, called as the engine calls them (no engine, no Docker).

harness.py's mocks answer a NameToken the way ``NameTokenProvider`` behaves; the first
tests here pin that behaviour down, so the mocks cannot drift from it.
"""

import re
from types import SimpleNamespace
from typing import Any

import docker
import pytest

from ticket_dashboard.dynamic import health_gate
from ticket_dashboard.dynamic.health_gate import ContainerNeverHealthy, HealthGateProvider
from ticket_dashboard.dynamic.name_token import TOKEN_BYTES, NameTokenProvider
from ticket_dashboard.dynamic.release_pruning import ReleasePruningProvider
from ticket_dashboard.workload import HEALTHCHECK_COMMAND

# --- NameToken ------------------------------------------------------------------------------


def test_a_name_token_is_as_many_hex_digits_as_its_bytes_spell() -> None:
    created = NameTokenProvider().create({"keepers": "k1", "token": None})
    assert re.fullmatch(f"[0-9a-f]{{{2 * TOKEN_BYTES}}}", created.outs["token"])
    assert created.outs["keepers"] == "k1"


def test_a_name_token_stays_while_its_keepers_do() -> None:
    diff = NameTokenProvider().diff("t", {"keepers": "k1", "token": "0a0b"}, {"keepers": "k1"})
    assert not diff.changes


def test_a_name_token_is_renewed_create_first_when_its_keepers_change() -> None:
    diff = NameTokenProvider().diff("t", {"keepers": "k1", "token": "0a0b"}, {"keepers": "k2"})
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, ["keepers"], False)


# --- HealthGate -----------------------------------------------------------------------------


def _attrs(health: str | None, running: bool = True, output: str = "") -> dict[str, Any]:
    state: dict[str, Any] = {
        "Running": running,
        "Status": "running" if running else "exited",
        "ExitCode": 0 if running else 3,
    }
    if health is not None:
        state["Health"] = {"Status": health, "Log": [{"Output": output}] if output else []}
    return {"Name": "/ticket-dashboard-dev-dashboard-x-1", "Id": "c0ffee", "State": state}


class _Api:
    """The low-level client's calls the gate makes: inspections in turn (the last one
    repeats), and one readiness probe exec answer per exec in turn (the last repeats)."""

    def __init__(self, inspections: list[dict[str, Any]], probes: list[tuple[int, str]]) -> None:
        self.inspections = inspections
        self.probes = probes
        self.asked = 0
        self.execs: list[tuple[str, list[str]]] = []
        self.answers: dict[str, tuple[int, str]] = {}
        self.stopped: list[str] = []

    def inspect_container(self, container_id: str) -> dict[str, Any]:
        self.asked += 1
        return self.inspections.pop(0) if len(self.inspections) > 1 else self.inspections[0]

    def exec_create(self, container_id: str, cmd: list[str]) -> dict[str, str]:
        self.execs.append((container_id, cmd))
        if not self.probes:
            raise docker.errors.APIError("409 Conflict", explanation="container is not running")
        exec_id = f"exec-{len(self.execs)}"
        self.answers[exec_id] = self.probes.pop(0) if len(self.probes) > 1 else self.probes[0]
        return {"Id": exec_id}

    def exec_start(self, exec_id: str) -> bytes:
        return self.answers[exec_id][1].encode() + b"\n"

    def exec_inspect(self, exec_id: str) -> dict[str, int]:
        return {"ExitCode": self.answers[exec_id][0]}

    def stop(self, container_id: str, timeout: int) -> None:
        self.stopped.append(container_id)

    def logs(self, container_id: str, tail: int) -> bytes:
        return b"Traceback (most recent call last):\nImportError: no module named flask\n"


READY = (0, "healthy")
INDEXING = (1, "GET /ready on port 8000 returned 503: not ready: index")


class _Client:
    def __init__(self, *inspections: dict[str, Any], probes: tuple = (READY,)) -> None:
        self.api = _Api(list(inspections), list(probes))


@pytest.fixture(autouse=True)
def _no_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health_gate.time, "sleep", lambda _seconds: None)


def test_the_gate_opens_once_the_container_is_healthy_and_ready() -> None:
    client = _Client(_attrs("starting"), _attrs("starting"), _attrs("healthy"))
    opened = health_gate.wait_until_ready(client, "c0ffee", 60)
    assert client.api.asked == 3
    assert opened["waited_for"] == "ready"


def test_readiness_is_asked_through_the_engine_with_the_images_own_probe() -> None:
    client = _Client(_attrs("healthy"))
    health_gate.wait_until_ready(client, "c0ffee", 60)
    assert client.api.execs == [("c0ffee", [*HEALTHCHECK_COMMAND, "--path", "/ready"])]


def test_readiness_is_not_asked_before_the_container_is_live() -> None:
    client = _Client(_attrs("starting"), _attrs("starting"), _attrs("healthy"))
    health_gate.wait_until_ready(client, "c0ffee", 60)
    assert len(client.api.execs) == 1


def test_a_live_replica_still_indexing_keeps_the_gate_closed_until_ready() -> None:
    client = _Client(_attrs("healthy"), probes=(INDEXING, INDEXING, READY))
    opened = health_gate.wait_until_ready(client, "c0ffee", 60)
    assert len(client.api.execs) == 3
    assert opened["waited_for"] == "ready"
    assert client.api.stopped == []


def test_readiness_probes_are_spaced_wider_than_inspections(monkeypatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(health_gate.time, "sleep", slept.append)
    client = _Client(_attrs("starting"), _attrs("healthy"), probes=(INDEXING, READY))
    health_gate.wait_until_ready(client, "c0ffee", 60)
    assert slept == [health_gate.POLL_SECONDS, health_gate.READY_POLL_SECONDS]
    assert health_gate.READY_POLL_SECONDS > health_gate.POLL_SECONDS


def test_an_image_whose_probe_cannot_ask_ready_opens_on_liveness_and_says_so() -> None:
    usage = (2, "healthcheck: error: unrecognized arguments: --path /ready")
    client = _Client(_attrs("healthy"), probes=(usage,))
    opened = health_gate.wait_until_ready(client, "c0ffee", 60)
    assert opened["waited_for"].startswith("live")


def test_a_replica_live_but_not_ready_at_the_timeout_fails_the_gate_with_what_to_do() -> None:
    client = _Client(_attrs("healthy"), probes=(INDEXING,))
    with pytest.raises(ContainerNeverHealthy) as failed:
        health_gate.wait_until_ready(client, "c0ffee", 0)
    message = str(failed.value)
    assert "ticket-dashboard-dev-dashboard-x-1 is live but not ready after 0s" in message
    assert "not ready: index" in message
    assert "healthWaitTimeoutSeconds" in message
    assert "ImportError: no module named flask" in message
    assert client.api.stopped == ["c0ffee"]


def test_a_container_that_stops_while_being_probed_fails_the_gate_as_stopped() -> None:
    client = _Client(_attrs("healthy"), _attrs("healthy", running=False), probes=())
    with pytest.raises(ContainerNeverHealthy, match="exit code 3"):
        health_gate.wait_until_ready(client, "c0ffee", 60)
    assert client.api.stopped == ["c0ffee"]


def test_an_unhealthy_container_fails_the_gate_with_its_last_check_and_logs() -> None:
    client = _Client(_attrs("unhealthy", output="HTTP 500 from /health"))
    with pytest.raises(ContainerNeverHealthy) as failed:
        health_gate.wait_until_ready(client, "c0ffee", 60)
    message = str(failed.value)
    assert "ticket-dashboard-dev-dashboard-x-1" in message
    assert "HTTP 500 from /health" in message
    assert "ImportError: no module named flask" in message


def test_a_replica_that_fails_its_gate_is_stopped_so_it_frees_its_proxy_slot() -> None:
    client = _Client(_attrs("unhealthy", output="HTTP 500 from /health"))
    with pytest.raises(ContainerNeverHealthy):
        health_gate.wait_until_ready(client, "c0ffee", 60)
    assert client.api.stopped == ["c0ffee"]


def test_a_container_that_exited_fails_the_gate_at_once() -> None:
    client = _Client(_attrs("starting", running=False))
    with pytest.raises(ContainerNeverHealthy, match="exit code 3"):
        health_gate.wait_until_ready(client, "c0ffee", 60)
    assert client.api.asked == 1
    assert client.api.execs == []


def test_a_container_still_starting_at_the_timeout_fails_the_gate() -> None:
    with pytest.raises(ContainerNeverHealthy, match="starting after 0s"):
        health_gate.wait_until_ready(_Client(_attrs("starting")), "c0ffee", 0)


def test_the_gate_keeps_what_it_waited_for_in_its_state(monkeypatch) -> None:
    client = _Client(_attrs("healthy"))
    client.close = lambda: None
    monkeypatch.setattr(docker, "from_env", lambda: client)
    outs = HealthGateProvider().create({"container_id": "c0ffee", "timeout_seconds": 60}).outs
    assert (outs["container_id"], outs["waited_for"]) == ("c0ffee", "ready")
    assert outs["ready_after_seconds"] >= outs["live_after_seconds"] >= 0


def test_only_a_new_container_is_waited_for_again() -> None:
    provider = HealthGateProvider()
    olds = {"container_id": "a", "timeout_seconds": 120}
    assert not provider.diff("a", olds, {"container_id": "a", "timeout_seconds": 180}).changes
    replaced = provider.diff("a", olds, {"container_id": "b", "timeout_seconds": 120})
    assert (replaced.changes, replaced.replaces) == (True, ["container_id"])


# --- ReleasePruning -------------------------------------------------------------------------

PRUNING = {
    "repository": "ticket-dashboard-dev",
    "running": "sha256:" + "a" * 64,
    "keep": 5,
    "healthy": ["a" * 12],
}


@pytest.mark.parametrize("key", ["running", "keep"])
def test_pruning_runs_again_when_the_release_or_the_count_changes(key: str) -> None:
    news = {**PRUNING, key: "sha256:" + "b" * 64 if key == "running" else 3}
    diff = ReleasePruningProvider().diff("r", PRUNING, news)
    assert (diff.changes, diff.replaces) == (True, [])


def test_pruning_does_nothing_while_nothing_changes() -> None:
    assert not ReleasePruningProvider().diff("r", PRUNING, dict(PRUNING)).changes


def test_pruning_removes_old_releases_by_this_stacks_tags(monkeypatch) -> None:
    import docker

    removed: list[str] = []

    class Images:
        def list(self, name: str):
            return [
                SimpleNamespace(
                    id="sha256:" + d * 64, attrs={"Created": c}, tags=[f"{name}:{d}", f"other:{d}"]
                )
                for d, c in (("a", "2026-01-01"), ("b", "2026-01-02"), ("c", "2026-01-03"))
            ]

        def remove(self, tag: str) -> None:
            removed.append(tag)

    client = SimpleNamespace(images=Images(), close=lambda: None)
    monkeypatch.setattr(docker, "from_env", lambda: client)
    props = {"repository": "repo", "running": "sha256:" + "c" * 64, "keep": 1}
    outs = ReleasePruningProvider().create(props).outs
    assert removed == ["repo:b", "repo:a"]
    assert outs["pruned"] == ["b" * 12, "a" * 12]
