"""A rollback is an ordinary `up` with the release pinned: no rebuild, no failed request.

The target is chosen as `make rollback` chooses it (ops.releases: the newest release built
before the running one that ran healthy, so test_11's failed release is never it) and
pinned through the same config key; then the pin is dropped and the next `up` runs the
build of app/ again.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from ops.releases import HEALTHY_OUTPUT, PIN_KEY, find_release, releases_of
from ticket_dashboard.naming import DASHBOARD, LABEL_RELEASE
from ticket_dashboard.releases import release_id, rollback_target

from .conftest import OperationLog
from .interrupt import change_app

pytestmark = pytest.mark.docker

IMAGE = "docker:index/image:Image"


def _running_releases(deployed, engine) -> set[str]:
    """The release label of every dashboard container the stack has, outputs or not."""
    return {
        engine.containers.get(name).labels[LABEL_RELEASE]
        for name in deployed.labelled_containers(DASHBOARD)
    }


def _built_release(deployed, engine) -> str:
    """The release that the build of app/ as it is produced."""
    return release_id(engine.images.get(deployed.outputs["image_name"]).id)


@pytest.fixture
def two_healthy_releases(deployed, progress) -> None:
    """An earlier release that ran healthy, made here when the session has none yet (this
    module run alone), so the rollback needs nothing from an earlier module."""
    if len(deployed.outputs[HEALTHY_OUTPUT]) < 2:
        progress("test_12: a second release to roll back from ...")
        change_app(deployed, "a second release for test_12")
        deployed.up()


def test_a_rollback_runs_the_previous_release_and_unpinning_returns_to_the_latest(
    deployed, engine, probe, progress, two_healthy_releases
):
    """Both halves in one test: the unpin starts from the rollback's state."""
    _roll_back(deployed, engine, probe, progress)
    _unpin(deployed, engine, probe, progress)


def _roll_back(deployed, engine, probe, progress) -> None:
    running = deployed.release
    releases = releases_of(deployed.name)
    healthy = deployed.outputs[HEALTHY_OUTPUT]
    assert healthy[0] == running, healthy
    target = rollback_target(releases, running, healthy)
    assert target is not None, f"none before {running} ran healthy: {healthy}"
    deployed.stack.set_config(PIN_KEY, auto.ConfigValue(find_release(releases, target.id).id))
    operations = OperationLog()
    progress(f"test_12: rollback {running} -> {target.id} under the probe ...")
    with probe() as report:
        deployed.up(on_event=operations.record)
    progress(f"test_12: rolled back; probe {report}")
    assert report.failed == 0, report
    assert deployed.release == target.id
    assert _running_releases(deployed, engine) == {target.id}
    assert deployed.outputs[HEALTHY_OUTPUT][:2] == [target.id, running]
    # The image resource is the build of app/, unchanged: nothing was rebuilt.
    assert operations.ops_of(IMAGE) == {"same"}, operations.ops.get(IMAGE)
    deployed.preview(expect_no_changes=True)


def _unpin(deployed, engine, probe, progress) -> None:
    latest = _built_release(deployed, engine)
    assert deployed.release != latest, "run after the rollback: the pinned release is running"
    deployed.stack.remove_config(PIN_KEY)
    progress(f"test_12: unpinned, back to {latest} under the probe ...")
    with probe() as report:
        deployed.up()
    progress(f"test_12: back on the latest; probe {report}")
    assert report.failed == 0, report
    assert deployed.release == latest
    assert _running_releases(deployed, engine) == {latest}
    deployed.preview(expect_no_changes=True)
