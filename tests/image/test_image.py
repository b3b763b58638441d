"""The app image, run with the deployment's hardening, on the real engine."""

from __future__ import annotations

import json
import tarfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import testinfra

from .conftest import wait_for_health

pytestmark = pytest.mark.docker

TICKETS_MOUNT = {"bind": "/tickets", "mode": "ro"}


def _dashboard(run_hardened, tickets: Path, **extra):
    return run_hardened(
        volumes={str(tickets): TICKETS_MOUNT}, ports={"8000/tcp": ("127.0.0.1", None)}, **extra
    )


def _host_port(container) -> int:
    container.reload()
    return int(container.ports["8000/tcp"][0]["HostPort"])


def test_dashboard_becomes_healthy_read_only_as_uid_1001(run_hardened, tickets):
    container = _dashboard(run_hardened, tickets)
    assert wait_for_health(container) == "healthy", container.logs().decode()[-2000:]


def test_dashboard_serves_the_mounted_tickets(run_hardened, tickets):
    container = _dashboard(run_hardened, tickets)
    assert wait_for_health(container) == "healthy"
    url = f"http://127.0.0.1:{_host_port(container)}/api/status"
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
        status = json.load(response)
    ticket_files = [p for p in tickets.rglob("*.md") if p.name != "TICKET_REGISTRY.md"]
    assert status["counts"]["files"] == len(ticket_files)
    assert status["counts"]["tickets"] > 0


def test_api_metrics_reports_the_containers_cgroup_limits(run_hardened, tickets, stack):
    # The monitor's thresholds are percentages of these two numbers, so they must be
    # read from the real cgroup the engine made, not only from fixture files.
    container = _dashboard(run_hardened, tickets)
    assert wait_for_health(container) == "healthy"
    url = f"http://127.0.0.1:{_host_port(container)}/api/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
        cgroup = json.load(response)["cgroup"]
    assert cgroup["memory_limit_bytes"] == stack.limits.memory_limit
    assert cgroup["cpu_limit_cores"] == pytest.approx(stack.limits.cpu_limit)
    assert 0 < cgroup["memory_usage_bytes"] < stack.limits.memory_limit


def test_processes_run_as_uid_1001_never_root(run_hardened, tickets):
    container = _dashboard(run_hardened, tickets)
    assert wait_for_health(container) == "healthy"
    host = testinfra.get_host(f"docker://{container.id}")
    uids = host.check_output("for f in /proc/[0-9]*/status; do grep '^Uid:' $f; done")
    real_uids = {line.split()[1] for line in uids.splitlines()}
    assert real_uids == {"1001"}


def test_root_filesystem_is_read_only(run_hardened, tickets):
    container = _dashboard(run_hardened, tickets)
    host = testinfra.get_host(f"docker://{container.id}")
    assert host.run("touch /opt/app/probe").rc != 0
    assert host.run("touch /tmp/probe").rc == 0


def test_image_has_no_build_tools(docker_client, image):
    output = docker_client.containers.run(
        image, ["sh", "-c", "command -v pip gcc cc curl || true"], remove=True, user="1001"
    )
    assert output.decode().strip() == ""


def test_sigterm_stops_the_dashboard_cleanly_within_10s(run_hardened, tickets):
    container = _dashboard(run_hardened, tickets)
    assert wait_for_health(container) == "healthy"
    started = time.monotonic()
    container.stop(timeout=10)  # SIGTERM, then SIGKILL after 10 s
    elapsed = time.monotonic() - started
    container.reload()
    assert container.attrs["State"]["ExitCode"] == 0, container.logs().decode()[-2000:]
    assert elapsed < 10


def test_backup_command_writes_an_archive_of_the_tickets(run_hardened, tickets, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir(mode=0o777)
    backups.chmod(0o777)
    container = run_hardened(
        ["python", "-m", "dashboard.backup", "run"],
        volumes={str(tickets): TICKETS_MOUNT, str(backups): {"bind": "/backups", "mode": "rw"}},
        tmpfs={"/tmp": "rw", "/data": "rw,uid=1001,gid=1001"},
    )
    result = container.wait(timeout=60)
    assert result["StatusCode"] == 0, container.logs().decode()[-2000:]
    archives = list(backups.glob("ticket-dashboard-backup-*.tar.gz"))
    assert len(archives) == 1
    with tarfile.open(archives[0]) as archive:
        names = set(archive.getnames())
    sample = next(tickets.rglob("*.md")).relative_to(tickets)
    assert f"tickets/{sample}" in names


def test_monitor_reaches_the_dashboard_by_name_on_a_bridge_network(
    docker_client, run_hardened, tickets
):
    suffix = uuid.uuid4().hex[:8]
    network = docker_client.networks.create(f"td-imagetest-{suffix}")
    try:
        # Named, as deployed: Docker's DNS resolves names given with --name.
        dashboard = _dashboard(
            run_hardened, tickets, network=network.name, name=f"td-imagetest-dashboard-{suffix}"
        )
        dashboard.reload()
        assert wait_for_health(dashboard) == "healthy"
        monitor = run_hardened(
            ["python", "-m", "dashboard.monitor"],
            network=network.name,
            environment={
                "DASHBOARD_MONITOR_TARGET_URL": f"http://{dashboard.name}:8000",
                "DASHBOARD_MONITOR_INTERVAL_SECONDS": "1",
            },
        )
        heartbeat = testinfra.get_host(f"docker://{monitor.id}")
        probe = "python -m dashboard.healthcheck --file /tmp/monitor-heartbeat.json --max-age 5"
        assert wait_until_ok(lambda: heartbeat.run(probe).rc == 0, timeout=30)
        state = json.loads(heartbeat.check_output("cat /tmp/monitor-heartbeat.json"))
        assert state["state"] == "healthy", monitor.logs().decode()[-1500:]
    finally:
        network.reload()  # its container list is read at creation time otherwise
        for container in network.containers:
            container.remove(force=True)
        network.remove()


def wait_until_ok(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def test_image_declares_its_health_check(docker_client, image):
    # The default for anyone who runs the image (CIS Docker 4.6); the program sets its own.
    healthcheck = docker_client.images.get(image).attrs["Config"].get("Healthcheck") or {}
    assert healthcheck.get("Test") == ["CMD", "python", "-m", "dashboard.healthcheck"]
