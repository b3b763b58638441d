"""Objects that carry a stack's labels but that its Pulumi state does not know.

An `up` killed between the engine's create and pulumi's record of it leaves such an
object: it survives `destroy` and `stack rm`, keeps its name (so the next create of that
name fails), and nothing reports it. Every object the program creates carries the
``project`` and ``stack`` labels, so the engine can be asked for all of them and each
compared with the state's IDs.

What `make up` does with them (``resolve``):
- containers are removed, after a graceful stop: their own stop timeout lets a replica
  drain (/ready 503) so the proxy routes elsewhere first. They hold no data, and the
  program recreates what it declares. Importing one instead would not help: the
  provider's read-back differs from the program's inputs, and every container is
  replaced on any difference, under the same name.
- networks are removed once no container uses them (a leftover one holds the stack's
  name and subnet, so the program's create would fail);
- volumes are kept and adopted: they may hold the only copy of data, and Docker's volume
  create returns an existing volume of that name, so the program's volume takes it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ops.stack_state import CONTAINER, NETWORK, VOLUME, StackState
from ticket_dashboard.naming import LABEL_PROJECT, LABEL_STACK
from ticket_dashboard.project import PROJECT_NAME


@dataclass(frozen=True)
class Orphan:
    kind: str  # container, network or volume
    name: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


def stack_filters(stack: str) -> dict[str, list[str]]:
    return {"label": [f"{LABEL_PROJECT}={PROJECT_NAME}", f"{LABEL_STACK}={stack}"]}


def find_orphans(client: Any, stack: str, state: StackState) -> list[Orphan]:
    filters = stack_filters(stack)
    containers, networks = state.ids_of(CONTAINER), state.ids_of(NETWORK)
    volumes = state.ids_of(VOLUME)
    found = [
        Orphan("container", c.name, c.id)
        for c in client.containers.list(all=True, filters=filters)
        if c.id not in containers
    ]
    found += [
        Orphan("network", n.name, n.id)
        for n in client.networks.list(filters=filters)
        if n.id not in networks
    ]
    found += [
        Orphan("volume", v.name, v.name)
        for v in client.volumes.list(filters=filters)
        if v.name not in volumes
    ]
    return found


def resolve(client: Any, orphans: list[Orphan], say: Callable[[str], None] = print) -> None:
    """Remove orphan containers, then orphan networks; keep (adopt) orphan volumes."""
    for orphan in [o for o in orphans if o.kind == "container"]:
        container = client.containers.get(orphan.id)
        container.stop()  # the container's own stop timeout: a replica drains first
        container.remove(v=False)
        say(f"converge: removed orphan {orphan} (not in the state: left by an interrupted run)")
    for orphan in [o for o in orphans if o.kind == "network"]:
        network = client.networks.get(orphan.id)
        network.reload()
        if network.attrs.get("Containers"):
            say(f"converge: kept orphan {orphan}: containers still use it")
            continue
        network.remove()
        say(f"converge: removed orphan {orphan} (not in the state: left by an interrupted run)")
    for orphan in [o for o in orphans if o.kind == "volume"]:
        say(
            f"converge: kept orphan {orphan} (volumes may hold data): an `up` reuses a volume "
            f"of the stack's own name; to delete it: docker volume rm {orphan.name}"
        )
