"""What the program declares for each real stack file, checked resource by resource.

Expected values come from the stack's config model (``run.config``), never from literals.
"""

from pathlib import Path
from typing import Any

import pytest

from ticket_dashboard.container_baseline import HARDENING
from ticket_dashboard.naming import ROLES
from ticket_dashboard.project import APP_DIR
from ticket_dashboard.units import cpu_shares, provider_cpus, whole_mebibytes
from ticket_dashboard.workload import SCRATCH_PATH

from .harness import (
    IMAGE_TYPE,
    NETWORK_TYPE,
    TEST_TOKEN,
    TOKEN_KEY,
    VOLUME_TYPE,
    ProgramRun,
    deployable_config,
    plain_strings,
    run_program,
    unwrap_secrets,
)


def _inputs(run: ProgramRun, role: str) -> dict[str, Any]:
    return unwrap_secrets(run.container(role).inputs)


def _mounts(run: ProgramRun, role: str) -> dict[str, dict[str, Any]]:
    return {mount["target"]: mount for mount in _inputs(run, role).get("mounts", [])}


def _env(run: ProgramRun, role: str) -> dict[str, str]:
    entries = _inputs(run, role)["envs"]
    return dict(entry.split("=", 1) for entry in entries)


# --- the baseline, for every container of every stack ----------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_container_runs_as_uid_1001(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["user"] == HARDENING.user == "1001:1001"


@pytest.mark.parametrize("role", ROLES)
def test_container_root_filesystem_is_read_only(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["readOnly"] is HARDENING.read_only_root


@pytest.mark.parametrize("role", ROLES)
def test_container_has_an_inert_tmpfs_at_tmp(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["tmpfs"] == {SCRATCH_PATH: HARDENING.scratch_tmpfs_options}


@pytest.mark.parametrize("role", ROLES)
def test_container_drops_all_capabilities(deployed: ProgramRun, role: str) -> None:
    capabilities = _inputs(deployed, role)["capabilities"]
    assert capabilities["drops"] == list(HARDENING.cap_drop)
    assert not capabilities.get("adds")


@pytest.mark.parametrize("role", ROLES)
def test_container_forbids_new_privileges(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["securityOpts"] == list(HARDENING.security_opts)


@pytest.mark.parametrize("role", ROLES)
def test_container_is_not_privileged(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role).get("privileged") is HARDENING.privileged is False


@pytest.mark.parametrize("role", ROLES)
def test_memory_limit_matches_stack_and_swap_equals_it(deployed: ProgramRun, role: str) -> None:
    inputs = _inputs(deployed, role)
    assert inputs["memory"] == whole_mebibytes(deployed.config.limits.memory_limit)
    assert inputs["memorySwap"] == inputs["memory"]


@pytest.mark.parametrize("role", ROLES)
def test_memory_reservation_matches_stack(deployed: ProgramRun, role: str) -> None:
    expected = whole_mebibytes(deployed.config.limits.memory_reservation)
    assert _inputs(deployed, role)["memoryReservation"] == expected


@pytest.mark.parametrize("role", ROLES)
def test_cpu_limit_matches_stack(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["cpus"] == provider_cpus(deployed.config.limits.cpu_limit)


@pytest.mark.parametrize("role", ROLES)
def test_cpu_reservation_is_a_proportional_share(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["cpuShares"] == cpu_shares(
        deployed.config.limits.cpu_reservation
    )


@pytest.mark.parametrize("role", ROLES)
def test_processes_are_limited_to_pids_limit(deployed: ProgramRun, role: str) -> None:
    (cap,) = [r for r in deployed.mocks.registrations if r.name == f"{role}-pids-limit"]
    assert cap.inputs["pids_limit"] == deployed.config.limits.pids_limit
    # Keyed on the container's ID (the mocks answer "<name>-id"): a replacement re-applies it.
    assert cap.inputs["container_id"] == f"{role}-container-id"


@pytest.mark.parametrize("role", ROLES)
def test_any_container_input_change_replaces_it(deployed: ProgramRun, role: str) -> None:
    # The provider "updates" mounts, tmpfs, health check ... without applying them.
    assert deployed.container(role).options.replace_on_changes == ("*",)


@pytest.mark.parametrize("role", ROLES)
def test_no_nproc_ulimit_stands_in_for_the_pids_limit(deployed: ProgramRun, role: str) -> None:
    # nproc counts per uid across the host: all three containers would share it.
    assert not _inputs(deployed, role).get("ulimits")


@pytest.mark.parametrize("role", ROLES)
def test_container_has_exec_form_healthcheck(deployed: ProgramRun, role: str) -> None:
    tests = _inputs(deployed, role)["healthcheck"]["tests"]
    assert tests[0] == "CMD"
    assert len(tests) > 1


@pytest.mark.parametrize("role", ROLES)
def test_restart_policy_matches_stack(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["restart"] == deployed.config.limits.restart_policy


@pytest.mark.parametrize("role", ROLES)
def test_logs_rotate_as_configured(deployed: ProgramRun, role: str) -> None:
    inputs = _inputs(deployed, role)
    assert inputs["logDriver"] == HARDENING.log_driver
    assert inputs["logOpts"] == {
        "max-size": deployed.config.logging.max_size,
        "max-file": str(deployed.config.logging.max_files),
    }


@pytest.mark.parametrize("role", ROLES)
def test_container_labelled_with_project_stack_and_role(deployed: ProgramRun, role: str) -> None:
    labels = {item["label"]: item["value"] for item in _inputs(deployed, role)["labels"]}
    assert labels == {"project": "ticket-dashboard", "stack": deployed.stack, "role": role}


@pytest.mark.parametrize("role", ROLES)
def test_container_never_mounts_docker_socket(deployed: ProgramRun, role: str) -> None:
    inputs = _inputs(deployed, role)
    sources = [str(mount.get("source")) for mount in inputs.get("mounts", [])]
    sources += [str(volume.get("hostPath")) for volume in inputs.get("volumes", [])]
    assert not [source for source in sources if "docker.sock" in source]
    assert "/var/run" not in sources


@pytest.mark.parametrize("role", ROLES)
def test_container_name_is_prefixed_with_stack(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["name"] == f"ticket-dashboard-{deployed.stack}-{role}"


@pytest.mark.parametrize("role", ROLES)
def test_container_joins_stack_network(deployed: ProgramRun, role: str) -> None:
    inputs = _inputs(deployed, role)
    network_name = deployed.only(NETWORK_TYPE).inputs["name"]
    assert [item["name"] for item in inputs["networksAdvanced"]] == [network_name]
    assert inputs["networkMode"] == "bridge"  # explicit, so the plan never shows a default


@pytest.mark.parametrize("role", ROLES)
def test_container_runs_the_built_image_by_id(deployed: ProgramRun, role: str) -> None:
    image_id = deployed.only(IMAGE_TYPE).state["repoDigest"]
    assert _inputs(deployed, role)["image"] == image_id


@pytest.mark.parametrize("role", ROLES)
def test_fixed_name_container_is_deleted_before_replacement(
    deployed: ProgramRun, role: str
) -> None:
    options = deployed.container(role).options
    assert options is not None
    assert options.delete_before_replace


@pytest.mark.parametrize("role", ROLES)
def test_container_is_a_child_of_its_component(deployed: ProgramRun, role: str) -> None:
    options = deployed.container(role).options
    assert options is not None
    assert options.parent.endswith(f"::{role}")


# --- dashboard ----------------------------------------------------------------------------


def test_dashboard_port_bound_to_configured_address(deployed: ProgramRun) -> None:
    (port,) = _inputs(deployed, "dashboard")["ports"]
    assert port["ip"] == deployed.config.network.bind_address
    assert int(port["external"]) in deployed.config.network.port_range
    assert port["internal"] == 8000


def test_only_the_dashboard_publishes_ports(deployed: ProgramRun) -> None:
    assert not _inputs(deployed, "backup").get("ports")
    assert not _inputs(deployed, "monitor").get("ports")


def test_dashboard_waits_until_healthy(deployed: ProgramRun) -> None:
    inputs = _inputs(deployed, "dashboard")
    assert inputs["wait"] is True
    assert inputs["waitTimeout"] == deployed.config.dashboard.health_wait_timeout_seconds


def test_dashboard_runs_the_server_command(deployed: ProgramRun) -> None:
    assert _inputs(deployed, "dashboard")["command"] == ["python", "-m", "dashboard"]


def test_dashboard_health_check_is_the_images_http_probe(deployed: ProgramRun) -> None:
    tests = _inputs(deployed, "dashboard")["healthcheck"]["tests"]
    assert tests == ["CMD", "python", "-m", "dashboard.healthcheck"]


def test_dashboard_env_follows_stack(deployed: ProgramRun) -> None:
    env = _env(deployed, "dashboard")
    assert env["DASHBOARD_LOG_LEVEL"] == deployed.config.logging.level
    organize = "true" if deployed.config.dashboard.organize_completed else "false"
    assert env["DASHBOARD_ORGANIZE_COMPLETED"] == organize
    assert (env["DASHBOARD_TICKETS_DIR"], env["DASHBOARD_DATA_DIR"]) == ("/tickets", "/data")


def test_dashboard_mounts_tickets_and_data(deployed: ProgramRun) -> None:
    mounts = _mounts(deployed, "dashboard")
    assert mounts["/tickets"]["source"] == str(deployed.config.dashboard.tickets_dir)
    assert mounts["/tickets"]["type"] == "bind"
    # Status changes write to the tree unless the stack asks for a read-only dashboard.
    assert mounts["/tickets"]["readOnly"] is deployed.config.dashboard.tickets_read_only
    assert mounts["/data"]["readOnly"] is False
    # It only displays what the backup job and the monitor reported.
    assert mounts["/backups"]["readOnly"] is True
    assert mounts["/monitor"]["readOnly"] is True


def test_dashboard_reads_the_heartbeat_the_monitor_writes(deployed: ProgramRun) -> None:
    dashboard, monitor = _mounts(deployed, "dashboard"), _mounts(deployed, "monitor")
    assert dashboard["/monitor"]["source"] == monitor["/monitor"]["source"]
    written = _env(deployed, "monitor")["DASHBOARD_MONITOR_HEARTBEAT_FILE"]
    assert _env(deployed, "dashboard")["DASHBOARD_MONITOR_HEARTBEAT_FILE"] == written
    assert written.startswith("/monitor/")


# --- sidecars -----------------------------------------------------------------------------


def test_backup_runs_the_daemon(deployed: ProgramRun) -> None:
    command = _inputs(deployed, "backup")["command"]
    assert command == ["python", "-m", "dashboard.backup", "daemon"]


def test_backup_reads_data_and_tickets_and_writes_backups(deployed: ProgramRun) -> None:
    mounts = _mounts(deployed, "backup")
    volumes = {item.inputs["name"] for item in deployed.mocks.of_type(VOLUME_TYPE)}
    assert {target: mount["readOnly"] for target, mount in mounts.items()} == {
        "/data": True,
        "/backups": False,
        "/tickets": True,
    }
    assert {mounts["/data"]["source"], mounts["/backups"]["source"]} < volumes
    assert mounts["/tickets"]["source"] == str(deployed.config.dashboard.tickets_dir)


def test_backup_shares_the_dashboards_data_volume(deployed: ProgramRun) -> None:
    shared = _mounts(deployed, "dashboard")["/data"]["source"]
    assert _mounts(deployed, "backup")["/data"]["source"] == shared


def test_backup_env_follows_stack(deployed: ProgramRun) -> None:
    env = _env(deployed, "backup")
    assert env["DASHBOARD_BACKUP_SCHEDULE"] == deployed.config.backup.schedule
    assert env["DASHBOARD_BACKUP_RETENTION_DAYS"] == str(deployed.config.backup.retention_days)
    assert env["DASHBOARD_BACKUP_DIR"] == "/backups"


def test_monitor_runs_the_monitor(deployed: ProgramRun) -> None:
    assert _inputs(deployed, "monitor")["command"] == ["python", "-m", "dashboard.monitor"]


def test_monitor_mounts_only_its_status_volume_writable(deployed: ProgramRun) -> None:
    inputs = _inputs(deployed, "monitor")
    assert [(m["target"], m["readOnly"]) for m in inputs["mounts"]] == [("/monitor", False)]
    assert not inputs.get("volumes")


def test_monitor_reaches_dashboard_by_container_name(deployed: ProgramRun) -> None:
    dashboard_name = _inputs(deployed, "dashboard")["name"]
    assert _env(deployed, "monitor")["DASHBOARD_MONITOR_TARGET_URL"] == (
        f"http://{dashboard_name}:8000"
    )


def test_monitor_env_follows_stack(deployed: ProgramRun) -> None:
    env = _env(deployed, "monitor")
    config = deployed.config
    assert env["DASHBOARD_MONITOR_LOG_LEVEL"] == config.logging.level
    assert env["DASHBOARD_MONITOR_INTERVAL_SECONDS"] == str(config.monitor.interval_seconds)
    assert float(env["DASHBOARD_MONITOR_CPU_THRESHOLD_PERCENT"]) == (
        config.monitor.cpu_threshold_percent
    )
    assert float(env["DASHBOARD_MONITOR_MEMORY_THRESHOLD_PERCENT"]) == (
        config.monitor.memory_threshold_percent
    )


def test_monitor_health_reads_its_heartbeat_on_its_volume(deployed: ProgramRun) -> None:
    heartbeat = _env(deployed, "monitor")["DASHBOARD_MONITOR_HEARTBEAT_FILE"]
    assert heartbeat.startswith("/monitor/")
    tests = _inputs(deployed, "monitor")["healthcheck"]["tests"]
    assert tests[:6] == ["CMD", "python", "-m", "dashboard.healthcheck", "--file", heartbeat]
    max_age = float(tests[tests.index("--max-age") + 1])
    assert max_age > deployed.config.monitor.interval_seconds


# --- network, volumes, image --------------------------------------------------------------


def test_network_uses_stack_subnet_and_gateway(deployed: ProgramRun) -> None:
    inputs = deployed.only(NETWORK_TYPE).inputs
    assert inputs["driver"] == "bridge"
    assert inputs["ipamConfigs"] == [
        {
            "subnet": str(deployed.config.network.subnet),
            "gateway": deployed.config.network.gateway_address,
        }
    ]


def test_network_and_volumes_are_labelled(deployed: ProgramRun) -> None:
    for registration in [deployed.only(NETWORK_TYPE), *deployed.mocks.of_type(VOLUME_TYPE)]:
        labels = {item["label"]: item["value"] for item in registration.inputs["labels"]}
        assert (labels["project"], labels["stack"]) == ("ticket-dashboard", deployed.stack)


def test_volumes_for_data_backups_and_monitor_status(deployed: ProgramRun) -> None:
    names = sorted(item.inputs["name"] for item in deployed.mocks.of_type(VOLUME_TYPE))
    prefix = f"ticket-dashboard-{deployed.stack}"
    assert names == [f"{prefix}-backups", f"{prefix}-data", f"{prefix}-monitor"]


def test_image_is_built_locally_from_app_and_never_pushed(deployed: ProgramRun) -> None:
    inputs = deployed.only(IMAGE_TYPE).inputs
    assert inputs["skipPush"] is True
    assert inputs["build"]["context"] == str(APP_DIR)
    assert inputs["build"]["dockerfile"] == str(APP_DIR / "Dockerfile")
    assert inputs["build"]["platform"] == "linux/amd64"
    assert inputs["build"]["args"] == {"BASE_IMAGE": deployed.config.image.base_image}


def test_image_tag_is_a_content_hash(deployed: ProgramRun) -> None:
    repository, tag = deployed.only(IMAGE_TYPE).inputs["imageName"].split(":")
    assert repository == f"ticket-dashboard-{deployed.stack}"
    assert len(tag) == 16
    int(tag, 16)


# --- outputs and secrets ------------------------------------------------------------------


def test_outputs_describe_the_deployment(deployed: ProgramRun) -> None:
    exports = deployed.exports
    port = int(_inputs(deployed, "dashboard")["ports"][0]["external"])
    assert exports["host_port"] == port
    assert exports["url"] == f"http://{deployed.config.network.bind_address}:{port}"
    assert exports["network_subnet"] == str(deployed.config.network.subnet)
    assert exports["image"] == deployed.only(IMAGE_TYPE).state["repoDigest"]
    for role in ROLES:
        assert exports[f"{role}_container"] == f"ticket-dashboard-{deployed.stack}-{role}"
    prefix = f"ticket-dashboard-{deployed.stack}"
    assert exports["network_name"] == f"{prefix}-net"
    for purpose in ("data", "backups", "monitor"):
        assert exports[f"{purpose}_volume"] == f"{prefix}-{purpose}"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_token_never_appears_in_plain_text(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, stack: str
) -> None:
    config, _ = deployable_config(stack, tickets_dir)
    config[TOKEN_KEY] = TEST_TOKEN
    run = run_program(monkeypatch, stack, config, secret_keys=(TOKEN_KEY,))
    assert run.error is None
    for registration in run.mocks.registrations:
        for value in (registration.inputs, registration.state):
            assert not [text for text in plain_strings(value) if TEST_TOKEN in text]
    assert TEST_TOKEN not in repr(run.exports)


def test_token_reaches_the_dashboard_as_a_secret(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config, secret_keys = deployable_config("prod", tickets_dir)
    run = run_program(monkeypatch, "prod", config, secret_keys=secret_keys)
    assert _env(run, "dashboard")["DASHBOARD_API_TOKEN"] == TEST_TOKEN
    assert "DASHBOARD_API_TOKEN" not in _env(run, "backup")
    assert "DASHBOARD_API_TOKEN" not in _env(run, "monitor")


def test_webhook_reaches_the_monitor_only_as_a_secret(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    webhook = "https://hooks.example.test/T000/B000/XXXXSECRET"
    config, secret_keys = deployable_config("prod", tickets_dir)
    config["ticket-dashboard:monitorWebhookUrl"] = webhook
    run = run_program(monkeypatch, "prod", config, secret_keys=secret_keys)
    assert _env(run, "monitor")["DASHBOARD_MONITOR_WEBHOOK_URL"] == webhook
    assert not [text for text in plain_strings(run.container("monitor").inputs) if webhook in text]


def test_preview_declares_the_same_resources(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config, secret_keys = deployable_config("prod", tickets_dir)
    preview = run_program(monkeypatch, "prod", config, secret_keys=secret_keys, preview=True)
    up = run_program(monkeypatch, "prod", config, secret_keys=secret_keys)
    assert preview.error is None
    names = sorted((item.type, item.name) for item in preview.mocks.registrations)
    assert names == sorted((item.type, item.name) for item in up.mocks.registrations)


def test_rerun_declares_identical_inputs(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config, secret_keys = deployable_config("prod", tickets_dir)
    first = run_program(monkeypatch, "prod", config, secret_keys=secret_keys)
    second = run_program(monkeypatch, "prod", config, secret_keys=secret_keys)
    as_set = [
        {(item.type, item.name, repr(item.inputs)) for item in run.mocks.registrations}
        for run in (first, second)
    ]
    assert as_set[0] == as_set[1]
