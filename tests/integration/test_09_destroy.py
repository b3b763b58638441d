"""`destroy` leaves nothing of a stack behind, except the volumes protectData keeps.

Each case deploys a small stack of its own, so the session's stack is not involved.
"""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from tests.deployment import create_throwaway, teardown

pytestmark = pytest.mark.docker

MARKER = "written before destroy\n"


def _write_marker(engine: docker.DockerClient, container: str) -> None:
    script = f"open('/data/marker', 'w').write({MARKER!r})"
    result = engine.containers.get(container).exec_run(["python", "-c", script])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("protect", [False, True], ids=["unprotected", "protectData"])
def test_destroy_removes_everything_labelled_with_the_stack(tmp_path, protect, progress):
    engine = docker.from_env()
    stack = create_throwaway(tmp_path, {"protectData": str(protect).lower()}, prefix="td")
    try:
        progress(f"test_09: deploying {stack.name} to destroy it ...")
        stack.up()
        _write_marker(engine, stack.replicas[0])
        before = stack.labelled_objects()["containers"]
        assert sorted(before) == sorted(stack.containers()), before
    finally:
        teardown(stack)
    left = stack.labelled_objects()
    try:
        assert left["containers"] == [] and left["networks"] == []
        if not protect:
            assert left["volumes"] == []
            return
        assert sorted(left["volumes"]) == sorted(
            [stack.outputs["data_volume"], stack.outputs["backups_volume"]]
        )
        data = Path(engine.volumes.get(stack.outputs["data_volume"]).attrs["Mountpoint"])
        assert (data / "marker").read_text() == MARKER
    finally:
        for name in left["volumes"]:
            engine.volumes.get(name).remove()
