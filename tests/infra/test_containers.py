"""Every container of the deployed stack, as the engine runs it, against the stack config.

The proxy gets the same baseline as the app's containers; only the checks of what the
app image does (its mounts, its port) differ by role.
"""

from __future__ import annotations

import time

import pytest
import requests

from ticket_dashboard.containers.hardened import HARDENING
from ticket_dashboard.naming import BACKUP, DASHBOARD, LABEL_RELEASE, LABEL_ROLE, MONITOR, PROXY
from ticket_dashboard.ports import PUBLISHED_CONTAINER_PORT
from ticket_dashboard.units import cpu_shares, whole_mebibytes
from ticket_dashboard.workload import (
    BACKUPS_PATH,
    CONTAINER_PORT,
    DATA_PATH,
    MONITOR_STATUS_PATH,
    RUNTIME_UID,
    SCRATCH_PATH,
    TICKETS_PATH,
)

from .conftest import PROCESSES, proc_file

pytestmark = pytest.mark.docker

DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
TCP_LISTEN = "0A"


def _expected_mounts(role: str, deployed, config) -> set[tuple[str, str, str, bool]]:
    """(type, source, target, writable) as declared for each role."""
    data, backups = deployed.outputs["data_volume"], deployed.outputs["backups_volume"]
    monitor, tickets = deployed.outputs["monitor_volume"], str(config.dashboard.tickets_dir)
    return {
        PROXY: set(),
        DASHBOARD: {
            ("bind", tickets, TICKETS_PATH, not config.dashboard.tickets_read_only),
            ("volume", data, DATA_PATH, True),
            ("volume", backups, BACKUPS_PATH, False),
            ("volume", monitor, MONITOR_STATUS_PATH, False),
        },
        BACKUP: {
            ("bind", tickets, TICKETS_PATH, False),
            ("volume", data, DATA_PATH, False),
            ("volume", backups, BACKUPS_PATH, True),
        },
        MONITOR: {("volume", monitor, MONITOR_STATUS_PATH, True)},
    }[role]


def _listens_inside(host, inspected, port: int) -> bool:
    # /proc/<pid>/net/tcp is the container's network namespace; 0A is LISTEN.
    table = proc_file(host, inspected, "net/tcp")
    return f":{port:04X} 00000000:0000 {TCP_LISTEN}" in table


def test_runs_as_uid_1001(inspected):
    assert inspected["Config"]["User"] == f"{RUNTIME_UID}:{RUNTIME_UID}"


def test_every_process_runs_as_uid_1001_never_0(host, name):
    rows = host.check_output(f"docker top {name} -eo pid,uid").splitlines()[1:]
    uids = {row.split()[1] for row in rows}
    assert uids == {str(RUNTIME_UID)}


def test_its_expected_process_is_running(host, name, role):
    commands = host.check_output(f"docker top {name} -eo pid,args").splitlines()[1:]
    assert any(PROCESSES[role] in line for line in commands), commands


def test_the_proxy_listens_on_the_published_port(host, deployed, config):
    port = deployed.outputs["host_port"]
    assert host.socket(f"tcp://{config.network.bind_address}:{port}").is_listening
    proxy = host.docker(deployed.container(PROXY)).inspect()
    assert _listens_inside(host, proxy, PUBLISHED_CONTAINER_PORT)


def test_each_replica_listens_on_the_container_port(host, replica_name):
    assert _listens_inside(host, host.docker(replica_name).inspect(), CONTAINER_PORT)


def test_each_replica_carries_the_running_release(host, deployed, replica_name):
    labels = host.docker(replica_name).inspect()["Config"]["Labels"]
    assert labels[LABEL_ROLE] == DASHBOARD
    assert labels[LABEL_RELEASE] == deployed.release
    assert f"-{deployed.release}-" in replica_name


def test_a_write_to_the_root_filesystem_fails(host, name):
    result = host.run(f"docker exec {name} sh -c 'echo probe > /probe'")
    assert result.rc != 0 and "Read-only file system" in result.stderr


def test_tmp_is_a_tmpfs(host, inspected):
    assert inspected["HostConfig"]["Tmpfs"] == {SCRATCH_PATH: HARDENING.scratch_tmpfs_options}
    mounts = proc_file(host, inspected, "mounts")
    assert any(line.split()[1:3] == [SCRATCH_PATH, "tmpfs"] for line in mounts.splitlines())


def test_mounts_and_modes_are_exactly_as_declared(inspected, role, deployed, config):
    found = {
        (m["Type"], m["Name"] if m["Type"] == "volume" else m["Source"], m["Destination"], m["RW"])
        for m in inspected["Mounts"]
    }
    assert found == _expected_mounts(role, deployed, config)


def test_no_docker_socket_is_mounted(inspected):
    sources = [m.get("Source", "") for m in inspected["Mounts"]]
    assert not [s for s in sources if s in DOCKER_SOCKETS or s.endswith("docker.sock")]
    assert not [s for s in sources if s in ("/run", "/var/run")]


def test_memory_and_swap_limits_match(inspected, config):
    assert inspected["HostConfig"]["Memory"] == config.limits.memory_limit
    assert inspected["HostConfig"]["MemorySwap"] == config.limits.memory_limit
    expected = whole_mebibytes(config.limits.memory_reservation) * 1024 * 1024
    assert inspected["HostConfig"]["MemoryReservation"] == expected


def test_cpu_limit_and_share_match(inspected, config):
    assert inspected["HostConfig"]["NanoCpus"] == round(config.limits.cpu_limit * 1e9)
    assert inspected["HostConfig"]["CpuShares"] == cpu_shares(config.limits.cpu_reservation)


def test_pids_limit_matches(inspected, config):
    assert inspected["HostConfig"]["PidsLimit"] == config.limits.pids_limit


def test_all_capabilities_are_dropped(inspected):
    assert inspected["HostConfig"]["CapDrop"] == list(HARDENING.cap_drop)
    assert not inspected["HostConfig"]["CapAdd"]
    assert inspected["HostConfig"]["Privileged"] is False


def test_no_new_privileges(inspected):
    assert inspected["HostConfig"]["SecurityOpt"] == list(HARDENING.security_opts)


def test_root_filesystem_is_read_only(inspected):
    assert inspected["HostConfig"]["ReadonlyRootfs"] is True


def test_restart_policy_matches(inspected, config):
    assert inspected["HostConfig"]["RestartPolicy"]["Name"] == config.limits.restart_policy


def test_logs_rotate_as_configured(inspected, config):
    log = inspected["HostConfig"]["LogConfig"]
    assert log["Type"] == HARDENING.log_driver
    assert log["Config"] == {
        "max-size": config.logging.max_size,
        "max-file": str(config.logging.max_files),
    }


def test_only_the_proxy_publishes_a_port_on_the_bind_address(inspected, role, deployed, config):
    bindings = inspected["HostConfig"]["PortBindings"] or {}
    if role != PROXY:
        assert bindings == {}
        return
    assert bindings == {
        f"{PUBLISHED_CONTAINER_PORT}/tcp": [
            {"HostIp": config.network.bind_address, "HostPort": str(deployed.outputs["host_port"])}
        ]
    }


def test_health_is_healthy(host, name):
    # The sidecars' first probe comes one (30 s) interval after start.
    deadline = time.monotonic() + 90
    while (status := _health(host, name)) == "starting" and time.monotonic() < deadline:
        time.sleep(1)
    assert status == "healthy"


def _health(host, name: str) -> str:
    return host.docker(name).inspect()["State"]["Health"]["Status"]


def _monitor_gets(host, deployed, url: str) -> str:
    return host.check_output(
        f"docker exec {deployed.container(MONITOR)} python -c "
        f"\"import urllib.request; print(urllib.request.urlopen('{url}', timeout=5).status)\""
    ).strip()


def test_monitor_reaches_each_replica_by_name(host, deployed, replica_name):
    assert _monitor_gets(host, deployed, f"http://{replica_name}:{CONTAINER_PORT}/health") == "200"


def test_monitor_reaches_the_service_through_the_proxy_by_name(host, deployed):
    url = f"http://{deployed.container(PROXY)}:{PUBLISHED_CONTAINER_PORT}/health"
    assert _monitor_gets(host, deployed, url) == "200"


@pytest.fixture
def api_token(deployed) -> str:
    # The throwaway stack always has one; a verified dev stack may run without.
    if not deployed.api_token:
        pytest.skip(f"stack {deployed.name} has no apiToken to look for")
    return deployed.api_token


def test_api_token_is_not_in_plain_text_in_stack_output(deployed, api_token):
    assert api_token not in deployed.stack_output_text()


def test_api_token_is_not_in_the_container_logs(host, name, api_token):
    logs = host.run(f"docker logs {name}")
    assert api_token not in logs.stdout + logs.stderr


def test_dashboard_answers_from_the_host_on_its_published_url(deployed):
    # What users reach: the host side of the port mapping, not Docker's view from inside.
    for path in ("/health", "/ready"):
        assert requests.get(deployed.outputs["url"] + path, timeout=2).status_code == 200
