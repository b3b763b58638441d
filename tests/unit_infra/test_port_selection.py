"""Host port selection: the pure policy, the Docker-host probe, and the program using them."""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest

from ticket_dashboard.components.proxy import (
    CONTAINER_TYPE,
    EARLIER_FRONT_DOOR,
    takes_over_the_earlier_front_door,
)
from ticket_dashboard.naming import DASHBOARD, PROXY, stack_naming
from ticket_dashboard.ports import (
    PUBLISHED_CONTAINER_PORT,
    DockerHostProbe,
    PortSelectionError,
    choose_port,
    host_ports,
    published_port,
    select_host_port,
)
from ticket_dashboard.settings.types import PortRange

from .harness import DYNAMIC_TYPE, FakeProbe, deployable_config, run_program

RANGE = PortRange(3100, 3104)


# --- choose_port --------------------------------------------------------------------------


def test_first_free_port_of_the_range_is_chosen() -> None:
    assert choose_port(RANGE, None, None, {}) == 3100


def test_busy_ports_are_skipped() -> None:
    busy = {3100: "container other", 3101: "process nginx (pid 7)"}
    assert choose_port(RANGE, None, None, busy) == 3102


def test_port_already_held_by_the_stack_is_kept() -> None:
    # The stack's own container shows up as busy too; holding it wins over "first free".
    assert choose_port(RANGE, None, 3103, {3103: "container ticket-dashboard-dev"}) == 3103


def test_held_port_outside_a_changed_range_is_given_up() -> None:
    assert choose_port(RANGE, None, 3000, {3000: "container mine"}) == 3100


def test_explicit_port_wins_over_the_range() -> None:
    assert choose_port(RANGE, 8080, 3101, {}) == 8080


def test_explicit_port_held_by_the_stack_is_fine() -> None:
    assert choose_port(RANGE, 8080, 8080, {8080: "container mine"}) == 8080


def test_explicit_port_held_by_someone_else_names_the_holder() -> None:
    with pytest.raises(PortSelectionError, match="8080 is held by process nginx"):
        choose_port(RANGE, 8080, None, {8080: "process nginx (pid 7)"})


def test_full_range_lists_every_holder() -> None:
    busy = {port: f"container c{port}" for port in RANGE.ports()}
    busy[3102] = "unknown process"
    with pytest.raises(PortSelectionError) as caught:
        choose_port(RANGE, None, None, busy)
    message = str(caught.value)
    for port in RANGE.ports():
        assert f"{port}: {busy[port]}" in message
    assert "ticket-dashboard:portRange 3100-3104" in message


def test_port_range_parses_single_port_and_rejects_inside_out() -> None:
    assert PortRange.parse("3100") == PortRange(3100, 3100)
    with pytest.raises(ValueError, match="inside out"):
        PortRange.parse("3104-3100")


# --- the probe, against a fake Docker client ----------------------------------------------


@dataclass
class FakeContainer:
    name: str
    labels: dict[str, str]
    bindings: dict[str, list[dict[str, str]]]

    @property
    def attrs(self) -> dict[str, Any]:
        return {"HostConfig": {"PortBindings": self.bindings}, "Config": {"Labels": self.labels}}


@dataclass
class FakeContainers:
    items: list[FakeContainer]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def list(
        self, all: bool = False, filters: dict | None = None, **kw: Any
    ) -> list[FakeContainer]:
        self.calls.append({"all": all, "filters": filters, **kw})
        wanted = dict(label.split("=", 1) for label in (filters or {}).get("label", []))
        return [c for c in self.items if wanted.items() <= c.labels.items()]


@dataclass
class FakeDocker:
    containers: FakeContainers


def _binding(port: str, ip: str = "127.0.0.1") -> list[dict[str, str]]:
    return [{"HostIp": ip, "HostPort": port}]


PUBLISHED = f"{PUBLISHED_CONTAINER_PORT}/tcp"
OURS = FakeContainer(
    "ticket-dashboard-dev-proxy",
    {"project": "ticket-dashboard", "stack": "dev", "role": PROXY},
    {PUBLISHED: _binding("3102")},
)
PROD = FakeContainer(
    "ticket-dashboard-prod-proxy",
    {"project": "ticket-dashboard", "stack": "prod", "role": PROXY},
    {PUBLISHED: _binding("3100")},
)
# A replica of this stack that publishes nothing (none does): it holds no port.
REPLICA = FakeContainer(
    "ticket-dashboard-dev-dashboard-0123456789ab-cdef-1",
    {"project": "ticket-dashboard", "stack": "dev", "role": DASHBOARD},
    {},
)
RANGED = FakeContainer("ranged", {}, {"80/tcp": _binding("3103-3104")})


def _probe(*containers: FakeContainer, listeners: dict[int, str] | None = None) -> DockerHostProbe:
    client = FakeDocker(FakeContainers(list(containers)))
    return DockerHostProbe("127.0.0.1", lambda: client, lambda: listeners or {})


def test_probe_finds_the_port_this_stack_holds() -> None:
    assert _probe(PROD, REPLICA, OURS).port_held_by_stack(stack_naming("dev")) == 3102


def test_probe_asks_for_every_container_of_the_stack() -> None:
    client = FakeDocker(FakeContainers([OURS]))
    DockerHostProbe("127.0.0.1", lambda: client).port_held_by_stack(stack_naming("dev"))
    labels = client.containers.calls[0]["filters"]["label"]
    assert sorted(labels) == ["project=ticket-dashboard", "stack=dev"]


# Before the proxy, the dashboard container itself published the URL, on 8000/tcp.
EARLIER_DASHBOARD = FakeContainer(
    "ticket-dashboard-dev-dashboard",
    {"project": "ticket-dashboard", "stack": "dev", "role": DASHBOARD},
    {"8000/tcp": _binding("3100")},
)
EARLIER_PROD_DASHBOARD = FakeContainer(
    "ticket-dashboard-prod-dashboard",
    {"project": "ticket-dashboard", "stack": "prod", "role": DASHBOARD},
    {"8000/tcp": _binding("3101")},
)


def test_an_upgraded_stack_keeps_the_port_its_earlier_dashboard_published() -> None:
    probe = _probe(EARLIER_PROD_DASHBOARD, REPLICA, EARLIER_DASHBOARD)
    assert probe.port_held_by_stack(stack_naming("dev")) == 3100
    assert probe.port_held_by_stack(stack_naming("prod")) == 3101


def test_the_proxys_port_wins_over_any_other_container_of_the_stack() -> None:
    assert _probe(EARLIER_DASHBOARD, OURS).port_held_by_stack(stack_naming("dev")) == 3102


def test_an_upgrade_chooses_the_port_the_stack_already_publishes() -> None:
    # The earlier dashboard still holds 3100 while the choice is made; it is ours.
    probe = _probe(EARLIER_DASHBOARD)
    assert select_host_port(stack_naming("dev"), RANGE, None, probe) == 3100


def test_the_proxy_container_takes_over_the_earlier_dashboard_container() -> None:
    args = pulumi.ResourceTransformationArgs(
        resource=None,
        type_=CONTAINER_TYPE,
        name="proxy-container",
        props={},
        opts=pulumi.ResourceOptions(delete_before_replace=True, aliases=["urn:kept"]),
    )
    result = takes_over_the_earlier_front_door(args)
    assert result is not None and result.opts.delete_before_replace is True
    kept, alias = result.opts.aliases
    assert kept == "urn:kept"
    # The earlier URN: ...ticket-dashboard:index:Dashboard$...Container::dashboard-container
    assert alias.name == EARLIER_FRONT_DOOR[1] == "dashboard-container"
    others = pulumi.ResourceTransformationArgs(
        None, DYNAMIC_TYPE, "proxy-pids-limit", {}, args.opts
    )
    assert takes_over_the_earlier_front_door(others) is None


def test_probe_includes_stopped_containers() -> None:
    client = FakeDocker(FakeContainers([OURS]))
    DockerHostProbe("127.0.0.1", lambda: client).port_held_by_stack(stack_naming("dev"))
    assert client.containers.calls[0]["all"] is True


def test_probe_reports_nothing_held_for_a_new_stack() -> None:
    assert _probe(PROD).port_held_by_stack(stack_naming("dev")) is None


def test_probe_names_containers_publishing_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://remote:2376")  # no local bind test
    busy = _probe(PROD, OURS, RANGED).busy_ports(RANGE.ports())
    assert busy == {
        3100: "container ticket-dashboard-prod-proxy",
        3102: "container ticket-dashboard-dev-proxy",
        3103: "container ranged",
        3104: "container ranged",
    }


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_probe_detects_local_listeners(
    monkeypatch: pytest.MonkeyPatch, listening_port: int
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    probe = _probe(listeners={listening_port: "process python (pid 1)"})
    assert probe.busy_ports([listening_port]) == {listening_port: "process python (pid 1)"}


def test_probe_says_unknown_process_when_the_os_does_not_tell(
    monkeypatch: pytest.MonkeyPatch, listening_port: int
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    assert _probe().busy_ports([listening_port]) == {listening_port: "unknown process"}


def test_probe_skips_the_bind_test_for_a_remote_engine(
    monkeypatch: pytest.MonkeyPatch, listening_port: int
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "ssh://deploy@far-away")
    assert _probe().busy_ports([listening_port]) == {}


def test_published_port_reads_port_bindings() -> None:
    assert published_port(OURS.attrs, PUBLISHED_CONTAINER_PORT) == 3102
    assert published_port({"HostConfig": {"PortBindings": {}}}, PUBLISHED_CONTAINER_PORT) is None
    assert host_ports({"HostConfig": {"PortBindings": {"1/tcp": _binding("")}}}) == []


def test_select_host_port_keeps_held_port_across_runs() -> None:
    naming = stack_naming("dev")
    probe = FakeProbe(held=3102, busy={3100: "container x", 3102: "container mine"})
    first = select_host_port(naming, RANGE, None, probe)
    assert select_host_port(naming, RANGE, None, probe) == first == 3102


# --- the program ---------------------------------------------------------------------------


def _published_port(run: Any) -> int:
    (port,) = run.container(PROXY).inputs["ports"]
    return int(port["external"])


def test_program_publishes_on_first_free_port(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    probe = FakeProbe(busy={3100: "container a", 3101: "process b (pid 2)"})
    run = run_program(monkeypatch, "dev", config, probe=probe)
    assert _published_port(run) == 3102
    assert probe.asked_bind_address == ["127.0.0.1"]


def test_program_keeps_the_port_it_holds(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    run = run_program(monkeypatch, "dev", config, probe=FakeProbe(held=3104))
    assert _published_port(run) == 3104
    assert run.exports["host_port"] == 3104


def test_program_honours_explicit_host_port(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    config["ticket-dashboard:hostPort"] = 8123
    run = run_program(monkeypatch, "dev", config, probe=FakeProbe(held=3100))
    assert _published_port(run) == 8123


def test_program_with_full_range_declares_nothing(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    busy = {port: f"container c{port}" for port in RANGE.ports()}
    run = run_program(monkeypatch, "dev", config, probe=FakeProbe(busy=busy))
    assert isinstance(run.error, PortSelectionError)
    assert "3104: container c3104" in str(run.error)
    assert run.mocks.registrations == []


def test_unreachable_engine_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such-docker.sock")
    with pytest.raises(PortSelectionError, match="cannot reach the Docker engine"):
        DockerHostProbe("127.0.0.1").port_held_by_stack(stack_naming("dev"))


def test_bind_address_not_on_this_host_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    probe = DockerHostProbe("203.0.113.7", lambda: FakeDocker(FakeContainers([])))
    with pytest.raises(PortSelectionError, match="not an address of this host"):
        probe.busy_ports([3100])
