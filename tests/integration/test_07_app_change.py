"""A change to app code replaces the image and what runs it, and nothing else."""

from __future__ import annotations

import pytest

from tests.deployment import summary_counts

pytestmark = pytest.mark.docker

UNCHANGED_OPS = {"same", "read", "refresh"}
# The image, the three containers built from it, and each container's process cap
# (keyed on the container's ID, so it follows the replacement).
EXPECTED = {
    "docker:index/image:Image": 1,
    "docker:index/container:Container": 3,
    "pulumi-python:dynamic:Resource": 3,
}


def test_app_change_replaces_only_the_image_and_its_containers(deployed):
    marker = deployed.project_dir / "app" / "dashboard" / "__init__.py"
    marker.write_text(marker.read_text() + "\n# changed by test_07_app_change\n")
    replaced: dict[str, set[str]] = {}

    def record(event) -> None:
        pre = event.resource_pre_event
        if pre is not None and pre.metadata.op.value not in UNCHANGED_OPS:
            replaced.setdefault(pre.metadata.type, set()).add(pre.metadata.urn)

    result = deployed.up(on_event=record)
    counts = summary_counts(result)
    print(f"app-change up: {counts}")
    assert {type_: len(urns) for type_, urns in replaced.items()} == EXPECTED
    # The image is rebuilt under its new content tag in place; the rest are replaced.
    assert counts.get("replace") == 6 and counts.get("update") == 1, counts
    assert set(counts) == {"same", "replace", "update"}
    deployed.preview(expect_no_changes=True)
