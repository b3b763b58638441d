"""An app-only release under a constant-rate probe: not one request fails.

The new replicas start beside the old ones and pass their health check before the old
ones are deleted; the old ones drain (/ready 503, then stop) while the proxy moves every
request to the new ones.
"""

from __future__ import annotations

import pytest

from ticket_dashboard.naming import DASHBOARD

pytestmark = pytest.mark.docker


def test_an_app_release_under_load_fails_no_request(deployed, probe, progress):
    old_release, old_replicas = deployed.release, deployed.replicas
    marker = deployed.project_dir / "app" / "dashboard" / "__init__.py"
    marker.write_text(marker.read_text() + "\n# released by test_10 under load\n")
    progress("test_10: app release (pulumi up) under the probe ...")
    with probe() as report:
        deployed.up()
    progress(f"test_10: release {old_release} -> {deployed.release}; probe {report}")
    assert report.failed == 0, report
    assert report.requests > 0
    assert deployed.release != old_release
    running = deployed.labelled_containers(DASHBOARD)
    assert sorted(running) == sorted(deployed.replicas), running
    assert not set(old_replicas) & set(running)
    deployed.preview(expect_no_changes=True)
