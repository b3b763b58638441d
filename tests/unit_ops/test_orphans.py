"""Orphan detection against the state's IDs (ops/orphans.py, ops/stack_state.py)."""

from __future__ import annotations

from types import SimpleNamespace

from ops.orphans import Orphan, find_orphans, resolve
from ops.stack_state import CONTAINER, NETWORK, VOLUME, StackState


class Listing:
    def __init__(self, items):
        self.items = items
        self.filters = None

    def list(self, all=False, filters=None):  # noqa: A002 - docker SDK's keyword
        self.filters = filters
        return self.items


def export(pending=()):
    return {
        "deployment": {
            "resources": [
                {"type": CONTAINER, "id": "c-known"},
                {"type": NETWORK, "id": "n-known"},
                {"type": VOLUME, "id": "v-known"},
                {"type": "pulumi:providers:docker", "id": "p"},
            ],
            "pending_operations": [
                {"type": kind, "resource": {"urn": urn}} for urn, kind in pending
            ],
        }
    }


def engine():
    return SimpleNamespace(
        containers=Listing(
            [SimpleNamespace(name="known", id="c-known"), SimpleNamespace(name="lost", id="c-lost")]
        ),
        networks=Listing([SimpleNamespace(name="net", id="n-known")]),
        volumes=Listing([SimpleNamespace(name="v-known"), SimpleNamespace(name="v-lost")]),
    )


def test_what_the_state_does_not_know_is_an_orphan_and_the_query_is_the_stacks_labels():
    client = engine()
    found = find_orphans(client, "dev", StackState.from_export(export()))
    assert found == [Orphan("container", "lost", "c-lost"), Orphan("volume", "v-lost", "v-lost")]
    assert client.containers.filters == {"label": ["project=ticket-dashboard", "stack=dev"]}


def test_pending_operations_are_read_from_the_export():
    urn = "urn:pulumi:dev::ticket-dashboard::x$docker:index/container:Container::dashboard-1"
    state = StackState.from_export(export(pending=[(urn, "creating")]))
    assert [str(op) for op in state.pending] == ["dashboard-1 (interrupted while creating)"]


def test_an_empty_stack_has_no_ids():
    state = StackState.from_export({"deployment": {}})
    assert state.ids_of(CONTAINER) == set() and state.pending == []


class Removable:
    def __init__(self, containers=None):
        self.calls: list[str] = []
        self.attrs = {"Containers": containers or {}}

    def stop(self):
        self.calls.append("stop")

    def remove(self, **_kwargs):
        self.calls.append("remove")

    def reload(self):
        self.calls.append("reload")


def test_containers_stop_gracefully_before_removal_networks_in_use_and_volumes_stay():
    container, free_net, busy_net = Removable(), Removable(), Removable({"x": {}})
    client = SimpleNamespace(
        containers=SimpleNamespace(get=lambda _id: container),
        networks=SimpleNamespace(get=lambda id_: free_net if id_ == "free" else busy_net),
    )
    said: list[str] = []
    orphans = [
        Orphan("volume", "data", "data"),
        Orphan("network", "busy", "busy"),
        Orphan("container", "lost", "c"),
        Orphan("network", "free", "free"),
    ]
    resolve(client, orphans, said.append)
    assert container.calls == ["stop", "remove"]
    assert free_net.calls == ["reload", "remove"]
    assert busy_net.calls == ["reload"]
    assert said[0].startswith("converge: removed orphan container lost")
    assert any("kept orphan network busy" in line for line in said)
    assert any(
        "kept orphan volume data" in line and "docker volume rm data" in line for line in said
    )
