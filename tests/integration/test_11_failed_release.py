"""A release whose app never turns healthy: `up` fails, and nobody notices.

The broken app answers /health and /ready with 503 (the warm-up stand-in too, so not
even its first second passes). `up` waits for the new replicas' health check for the
stack's healthWaitTimeoutSeconds and fails; the old replicas keep serving behind the
proxy meanwhile, which never sends a request to a replica whose /ready fails. The next
`up` with the good app converges and leaves only the stack's replicas behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pulumi import automation as auto

from ticket_dashboard.naming import DASHBOARD

from .load_probe import ConstantRateProbe, ProbeReport

pytestmark = pytest.mark.docker

FAILED_WAIT_SECONDS = "20"
"""healthWaitTimeoutSeconds for the broken release: the shortest wait that still sees
several health probes (3 s apart) fail; the stack's minimum is 10."""
BROKEN = "broken release (test_11): /health fails on purpose"
# Appended to app/dashboard/web/ops.py in the project copy; the blueprint registers it.
BREAK_HEALTH = f"""

@blueprint.before_app_request
def _broken_release() -> Response | None:
    from flask import request

    if request.path in ("/health", "/ready"):
        return error_response(503, {BROKEN!r})
    return None
"""
# The warm-up stand-in answers /health 200 until the app is built; not this release.
WARMUP_LIVENESS = ('LIVENESS_PATH = "/health"', 'LIVENESS_PATH = "/health-is-broken"')


@dataclass
class FailedRelease:
    error: str
    report: ProbeReport
    running_before: list[str]
    release_before: str
    health_logs: dict[str, list[dict]] = field(default_factory=dict)
    """Each broken replica's last health-check results, from `docker inspect`."""
    restored: dict[Path, str] = field(default_factory=dict)
    """Each edited file's good text."""
    wait_before: str = ""
    recovery_report: ProbeReport | None = None
    """The probe during the next up, with the good app again."""

    @property
    def last_outputs(self) -> dict[str, str]:
        return {name: log[-1]["Output"].strip() for name, log in self.health_logs.items() if log}

    def restore(self, deployed) -> None:
        """The good app and the stack's own health wait, as before the broken release."""
        for path, text in self.restored.items():
            path.write_text(text)
        deployed.set_config("healthWaitTimeoutSeconds", self.wait_before)


def _edit(path: Path, text: str, restored: dict[Path, str]) -> None:
    restored.setdefault(path, path.read_text())
    path.write_text(text)


def _break_the_app(project_dir: Path, restored: dict[Path, str]) -> None:
    ops = project_dir / "app" / "dashboard" / "web" / "ops.py"
    _edit(ops, ops.read_text() + BREAK_HEALTH, restored)
    warmup = project_dir / "app" / "dashboard" / "runtime" / "warmup.py"
    text = warmup.read_text()
    assert WARMUP_LIVENESS[0] in text, f"{WARMUP_LIVENESS[0]} not in {warmup}"
    _edit(warmup, text.replace(*WARMUP_LIVENESS), restored)


def _health_logs(engine, names: list[str]) -> dict[str, list[dict]]:
    """The engine's last few health-check results of each container."""
    return {
        name: engine.api.inspect_container(name)["State"].get("Health", {}).get("Log") or []
        for name in names
    }


@pytest.fixture(scope="module")
def failed_release(deployed, engine, vegeta, progress) -> Iterator[FailedRelease]:
    restored: dict[Path, str] = {}
    running_before = deployed.labelled_containers(DASHBOARD)
    release_before = deployed.release
    wait_before = str(deployed.config.dashboard.health_wait_timeout_seconds)
    _break_the_app(deployed.project_dir, restored)
    deployed.set_config("healthWaitTimeoutSeconds", FAILED_WAIT_SECONDS)
    progress(f"test_11: broken release, up must fail within {FAILED_WAIT_SECONDS} s ...")
    error = ""
    with ConstantRateProbe(vegeta, deployed.outputs["url"], deployed.api_token) as report:
        try:
            deployed.up()
        except auto.CommandError as raised:
            error = str(raised)
    progress(f"test_11: failed up; probe {report}")
    broken = sorted(set(deployed.labelled_containers(DASHBOARD)) - set(running_before))
    outcome = FailedRelease(
        error, report, running_before, release_before, restored=restored, wait_before=wait_before
    )
    outcome.health_logs = _health_logs(engine, broken)
    print(f"failed-release error:\n{error}\nlast health checks: {outcome.last_outputs}")
    try:
        yield outcome
    finally:
        # Whatever the tests found, the stack goes on with the good app and wait.
        outcome.restore(deployed)


def test_up_fails_on_a_release_that_never_turns_healthy(failed_release):
    assert failed_release.error, "up succeeded with an app whose /health never passes"
    assert failed_release.health_logs, "no new replica was created"
    for name, log in failed_release.health_logs.items():
        # Every check failed: a 503 from the app, or a timeout on a busy host.
        assert log and all(result["ExitCode"] != 0 for result in log), (name, log)
        assert f"container {name} did not become healthy" in failed_release.error


def test_the_old_replicas_served_every_request_meanwhile(deployed, engine, failed_release):
    print(f"probe during the failed release: {failed_release.report}")
    assert failed_release.report.failed == 0, failed_release.report
    assert failed_release.report.requests > 0
    for name in failed_release.running_before:
        assert engine.api.inspect_container(name)["State"]["Health"]["Status"] == "healthy"
    deployed.refresh_outputs()
    assert deployed.release == failed_release.release_before


def test_the_failed_up_shows_each_replicas_last_health_check_output(failed_release):
    for name, log in failed_release.health_logs.items():
        # Checks may have run between the gate's error and this inspect: any recent one.
        shown = [f"Last health check: {result['Output'].strip()}" for result in log]
        assert any(line in failed_release.error for line in shown), (name, shown)


def test_the_next_up_with_the_good_app_converges_without_orphans(
    deployed, probe, progress, failed_release
):
    failed_release.restore(deployed)
    progress("test_11: good app again (pulumi up) under the probe ...")
    with probe() as failed_release.recovery_report:
        deployed.up()
    progress(f"test_11: recovered to {deployed.release}; probe {failed_release.recovery_report}")
    running = deployed.labelled_containers(DASHBOARD)
    assert sorted(running) == sorted(deployed.replicas), running
    assert len(running) == deployed.config.dashboard.replicas
    deployed.preview(expect_no_changes=True)


def test_the_recovery_fails_no_request(failed_release):
    report = failed_release.recovery_report
    assert report is not None, "the recovery up did not run"
    assert report.failed == 0, report
