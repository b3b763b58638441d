"""A change to app code is a release: the image and what runs it, and nothing else.

The replicas are replaced create-first (new ones healthy before the old are deleted),
backup and monitor are replaced, each container's process cap follows its container, and
release pruning runs. The proxy, the network and the volumes stay as they are.
"""

from __future__ import annotations

import pytest

from tests.deployment import summary_counts

from .conftest import OperationLog

pytestmark = pytest.mark.docker

IMAGE = "docker:index/image:Image"
CONTAINER = "docker:index/container:Container"
DYNAMIC = "pulumi-python:dynamic:Resource"


def test_app_change_replaces_only_the_image_and_what_runs_it(deployed, engine, progress):
    replicas = deployed.replicas
    # Replicas, backup and monitor; the pids cap of each (keyed on the container's ID, so
    # it follows the replacement); and the release pruning, which runs on a new release.
    expected = {IMAGE: 1, CONTAINER: len(replicas) + 2, DYNAMIC: len(replicas) + 3}
    proxy_id = engine.containers.get(deployed.container("proxy")).id
    network_id = engine.networks.get(deployed.outputs["network_name"]).id
    release = deployed.release
    marker = deployed.project_dir / "app" / "dashboard" / "__init__.py"
    marker.write_text(marker.read_text() + "\n# changed by test_07_app_change\n")
    operations = OperationLog()
    progress("test_07: app-change up ...")
    result = deployed.up(on_event=operations.record)
    counts = summary_counts(result)
    print(f"app-change up: {counts}")
    assert {type_: len(urns) for type_, urns in operations.changed().items()} == expected
    # The image is rebuilt under its new content tag in place, the pruning updates in
    # place, the rest are replaced.
    assert counts.get("replace") == 2 * (len(replicas) + 2), counts
    assert counts.get("update") == 2, counts
    assert set(counts) == {"same", "replace", "update"}
    assert not [urn for urns in operations.changed().values() for urn in urns if "Proxy" in urn]
    assert engine.containers.get(deployed.container("proxy")).id == proxy_id
    assert engine.networks.get(deployed.outputs["network_name"]).id == network_id
    assert deployed.release != release
    assert not set(replicas) & set(deployed.replicas), "the old replicas are still outputs"
    left = deployed.labelled_objects()["containers"]
    assert not set(replicas) & set(left), f"old replicas left behind: {left}"
    deployed.preview(expect_no_changes=True)
