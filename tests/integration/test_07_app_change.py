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

UPDATED = {"image-build", "image-sbom", "releases"}
"""The image is rebuilt under its new content tag in place, its SBOM is written for the
new image ID in place, and pruning runs in place."""
REPLACED_PER_REPLICA = ("container", "name", "pids-limit", "healthy")
"""A replica's container, the token in its name, its process cap and its health gate."""
REPLACED_PER_SIDECAR = ("container", "pids-limit")


def _resource_name(urn: str) -> str:
    return urn.rpartition("::")[2]


def test_app_change_replaces_only_the_image_and_what_runs_it(deployed, engine, progress):
    replicas = deployed.replicas
    replaced = {
        f"dashboard-{index}-{part}"
        for index in range(1, len(replicas) + 1)
        for part in REPLACED_PER_REPLICA
    } | {f"{sidecar}-{part}" for sidecar in ("backup", "monitor") for part in REPLACED_PER_SIDECAR}
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
    changed = {_resource_name(urn) for urns in operations.changed().values() for urn in urns}
    assert changed == UPDATED | replaced
    assert counts.get("update") == len(UPDATED), counts
    assert counts.get("replace") == len(replaced), counts
    assert set(counts) == {"same", "replace", "update"}
    assert engine.containers.get(deployed.container("proxy")).id == proxy_id
    assert engine.networks.get(deployed.outputs["network_name"]).id == network_id
    assert deployed.release != release
    assert not set(replicas) & set(deployed.replicas), "the old replicas are still outputs"
    left = deployed.labelled_objects()["containers"]
    assert not set(replicas) & set(left), f"old replicas left behind: {left}"
    deployed.preview(expect_no_changes=True)
