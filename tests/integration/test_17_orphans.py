"""Objects labelled with the stack that its state does not know: shown, then resolved.

An interrupted create leaves such objects (test_15 makes real ones); here they are made
by hand, one of each kind, so each rule is seen: `make status` lists all three, and
`make up`'s first step removes the container (after a graceful stop) and the network and
keeps the volume, which may hold data and which a volume of that name would adopt. The
stack's own objects are not touched.
"""

from __future__ import annotations

import contextlib

import docker
import pytest

from ticket_dashboard.naming import DASHBOARD, stack_naming

from .interrupt import converge
from .interrupt import status as stack_status

pytestmark = pytest.mark.docker


@pytest.fixture
def orphans(deployed, engine):
    naming = stack_naming(deployed.name)
    image = engine.containers.get(deployed.replicas[0]).image.id
    made = {
        "container": engine.containers.run(
            image,
            ["python", "-c", "import time; time.sleep(600)"],
            name=f"{naming.prefix}-{DASHBOARD}-orphan",
            labels=naming.labels(DASHBOARD),
            user="1001:1001",
            read_only=True,
            network_mode="none",
            stop_signal="SIGKILL",  # sleep as PID 1 ignores SIGTERM
            detach=True,
        ),
        "network": engine.networks.create(f"{naming.prefix}-orphan-net", labels=naming.labels()),
        "volume": engine.volumes.create(f"{naming.prefix}-orphan-vol", labels=naming.labels()),
    }
    yield made
    for thing in made.values():
        with contextlib.suppress(docker.errors.NotFound):
            thing.remove(force=True) if hasattr(thing, "stop") else thing.remove()


def test_status_lists_orphans_and_converge_removes_or_adopts_each(deployed, engine, orphans):
    own = sorted(deployed.containers())
    names = {kind: thing.name for kind, thing in orphans.items()}
    shown = stack_status(deployed)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    for kind, name in names.items():
        assert f"ORPH {kind} {name}" in shown.stdout, shown.stdout
    result = converge(deployed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"removed orphan container {names['container']}" in result.stdout
    assert f"removed orphan network {names['network']}" in result.stdout
    assert f"kept orphan volume {names['volume']}" in result.stdout
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(names["container"])
    with pytest.raises(docker.errors.NotFound):
        engine.networks.get(names["network"])
    assert engine.volumes.get(names["volume"]).name == names["volume"]
    assert sorted(deployed.labelled_objects()["containers"]) == own
    after = stack_status(deployed).stdout
    assert f"ORPH volume {names['volume']}" in after
    assert "ORPH container" not in after and "ORPH network" not in after
