"""What the program declares for each real stack file, checked resource by resource.

Expected values come from the stack's config model (``run.config``), never from literals.
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dashboard.server import GRACEFUL_TIMEOUT_SECONDS, stop_bound_seconds
from dashboard.settings import Settings
from ticket_dashboard import workload
from ticket_dashboard.components.backup import BACKUP_TYPE
from ticket_dashboard.components.dashboard import DRAIN_SECONDS
from ticket_dashboard.components.monitor import MONITOR_TYPE
from ticket_dashboard.containers.hardened import HARDENING
from ticket_dashboard.naming import DASHBOARD, PROXY, ROLES, stack_naming
from ticket_dashboard.ports import PUBLISHED_CONTAINER_PORT
from ticket_dashboard.project import APP_DIR
from ticket_dashboard.releases import release_id
from ticket_dashboard.settings.sections import StackConfig
from ticket_dashboard.units import cpu_shares, provider_cpus, whole_mebibytes
from ticket_dashboard.workload import SCRATCH_PATH

from .harness import (
    DYNAMIC_TYPE,
    IMAGE_TYPE,
    NETWORK_TYPE,
    TEST_TOKEN,
    TOKEN_KEY,
    VOLUME_TYPE,
    ProgramRun,
    Registration,
    deployable_config,
    plain_strings,
    run_program,
    unwrap_secrets,
)

FIXED_NAME_ROLES = tuple(role for role in ROLES if role != DASHBOARD)
"""One container each, under a name that never changes: replaced delete-first."""
APP_ROLES = tuple(role for role in ROLES if role != PROXY)
"""The containers that run the app image (the proxy runs HAProxy's)."""
DNS_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
"""RFC 1123: what Docker's embedded DNS resolves a container name as."""


def _inputs(run: ProgramRun, role: str) -> dict[str, Any]:
    return unwrap_secrets(run.container(role).inputs)


def _each(run: ProgramRun, role: str) -> list[dict[str, Any]]:
    """The inputs of every container of ``role``: each dashboard replica, else the one."""
    containers = run.replicas(role)
    assert containers, f"the program declares no {role} container"
    return [unwrap_secrets(container.inputs) for container in containers]


def _mounts_of(inputs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {mount["target"]: mount for mount in inputs.get("mounts", [])}


def _mounts(run: ProgramRun, role: str) -> dict[str, dict[str, Any]]:
    return _mounts_of(_inputs(run, role))


def _env_of(inputs: dict[str, Any]) -> dict[str, str]:
    return dict(entry.split("=", 1) for entry in inputs["envs"])


def _env(run: ProgramRun, role: str) -> dict[str, str]:
    return _env_of(_inputs(run, role))


def _labels(inputs: dict[str, Any]) -> dict[str, str]:
    return {item["label"]: item["value"] for item in inputs["labels"]}


def _replica_names(run: ProgramRun) -> list[str]:
    return [inputs["name"] for inputs in _each(run, DASHBOARD)]


def _published_port(run: ProgramRun) -> dict[str, Any]:
    (port,) = _inputs(run, PROXY)["ports"]
    return port


def _pruning(run: ProgramRun) -> Registration:
    (found,) = [item for item in run.mocks.of_type(DYNAMIC_TYPE) if item.name == "releases"]
    return found


def _depends_on(registration: Registration, other: Registration) -> bool:
    assert registration.options is not None
    return any(urn.endswith(f"::{other.name}") for urn in registration.options.dependencies)


# --- the baseline, for every container of every stack ----------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_container_runs_as_uid_1001(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["user"] == HARDENING.user == "1001:1001"


@pytest.mark.parametrize("role", ROLES)
def test_container_root_filesystem_is_read_only(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["readOnly"] is HARDENING.read_only_root


@pytest.mark.parametrize("role", ROLES)
def test_container_has_an_inert_tmpfs_at_tmp(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["tmpfs"] == {SCRATCH_PATH: HARDENING.scratch_tmpfs_options}


@pytest.mark.parametrize("role", ROLES)
def test_container_drops_all_capabilities(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["capabilities"]["drops"] == list(HARDENING.cap_drop)
        assert not inputs["capabilities"].get("adds")


@pytest.mark.parametrize("role", ROLES)
def test_container_forbids_new_privileges(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["securityOpts"] == list(HARDENING.security_opts)


@pytest.mark.parametrize("role", ROLES)
def test_container_is_not_privileged(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs.get("privileged") is HARDENING.privileged is False


@pytest.mark.parametrize("role", ROLES)
def test_memory_limit_matches_stack_and_swap_equals_it(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["memory"] == whole_mebibytes(deployed.config.limits.memory_limit)
        assert inputs["memorySwap"] == inputs["memory"]


@pytest.mark.parametrize("role", ROLES)
def test_memory_reservation_matches_stack(deployed: ProgramRun, role: str) -> None:
    expected = whole_mebibytes(deployed.config.limits.memory_reservation)
    for inputs in _each(deployed, role):
        assert inputs["memoryReservation"] == expected


@pytest.mark.parametrize("role", ROLES)
def test_cpu_limit_matches_stack(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["cpus"] == provider_cpus(deployed.config.limits.cpu_limit)


@pytest.mark.parametrize("role", ROLES)
def test_cpu_reservation_is_a_proportional_share(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["cpuShares"] == cpu_shares(deployed.config.limits.cpu_reservation)


@pytest.mark.parametrize("role", ROLES)
def test_processes_are_limited_to_pids_limit(deployed: ProgramRun, role: str) -> None:
    for container in deployed.replicas(role):
        cap = deployed.pids_limit_of(container)
        assert cap.inputs["pids_limit"] == deployed.config.limits.pids_limit
        # Keyed on the container's ID (the mocks answer "<name>-id"): a replacement
        # re-applies it.
        assert cap.inputs["container_id"] == f"{container.name}-id"


@pytest.mark.parametrize("role", ROLES)
def test_any_container_input_change_replaces_it(deployed: ProgramRun, role: str) -> None:
    # The provider "updates" mounts, tmpfs, health check ... without applying them.
    for container in deployed.replicas(role):
        assert container.options.replace_on_changes == ("*",)


@pytest.mark.parametrize("role", ROLES)
def test_no_nproc_ulimit_stands_in_for_the_pids_limit(deployed: ProgramRun, role: str) -> None:
    # nproc counts per uid across the host: every container would share it.
    for inputs in _each(deployed, role):
        assert not inputs.get("ulimits")


@pytest.mark.parametrize("role", ROLES)
def test_container_has_exec_form_healthcheck(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        tests = inputs["healthcheck"]["tests"]
        assert tests[0] == "CMD"
        assert len(tests) > 1


@pytest.mark.parametrize("role", ROLES)
def test_restart_policy_matches_stack(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["restart"] == deployed.config.limits.restart_policy


@pytest.mark.parametrize("role", ROLES)
def test_logs_rotate_as_configured(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        assert inputs["logDriver"] == HARDENING.log_driver
        assert inputs["logOpts"] == {
            "max-size": deployed.config.logging.max_size,
            "max-file": str(deployed.config.logging.max_files),
        }


@pytest.mark.parametrize("role", ROLES)
def test_container_labelled_with_project_stack_and_role(deployed: ProgramRun, role: str) -> None:
    expected = {"project": "ticket-dashboard", "stack": deployed.stack, "role": role}
    if role == DASHBOARD:  # a replica also says which release it runs
        expected["release"] = deployed.exports["release"]
    for inputs in _each(deployed, role):
        assert _labels(inputs) == expected


@pytest.mark.parametrize("role", ROLES)
def test_container_never_mounts_docker_socket(deployed: ProgramRun, role: str) -> None:
    for inputs in _each(deployed, role):
        sources = [str(mount.get("source")) for mount in inputs.get("mounts", [])]
        sources += [str(volume.get("hostPath")) for volume in inputs.get("volumes", [])]
        assert not [source for source in sources if "docker.sock" in source]
        assert "/var/run" not in sources


@pytest.mark.parametrize("role", FIXED_NAME_ROLES)
def test_container_name_is_prefixed_with_stack(deployed: ProgramRun, role: str) -> None:
    assert _inputs(deployed, role)["name"] == f"ticket-dashboard-{deployed.stack}-{role}"


@pytest.mark.parametrize("role", ROLES)
def test_container_joins_stack_network(deployed: ProgramRun, role: str) -> None:
    network_name = deployed.only(NETWORK_TYPE).inputs["name"]
    for inputs in _each(deployed, role):
        assert [item["name"] for item in inputs["networksAdvanced"]] == [network_name]
        assert inputs["networkMode"] == "bridge"  # explicit, so the plan never shows a default


@pytest.mark.parametrize("role", ROLES)
def test_container_answers_to_its_role_on_the_network(deployed: ProgramRun, role: str) -> None:
    # Every dashboard replica shares the one alias: the proxy resolves it to all of them.
    for inputs in _each(deployed, role):
        assert [item["aliases"] for item in inputs["networksAdvanced"]] == [[role]]


@pytest.mark.parametrize("role", APP_ROLES)
def test_container_runs_the_built_image_by_id(deployed: ProgramRun, role: str) -> None:
    image_id = deployed.only(IMAGE_TYPE).state["repoDigest"]
    for inputs in _each(deployed, role):
        assert inputs["image"] == image_id


@pytest.mark.parametrize("role", FIXED_NAME_ROLES)
def test_fixed_name_container_is_deleted_before_replacement(
    deployed: ProgramRun, role: str
) -> None:
    options = deployed.container(role).options
    assert options is not None
    assert options.delete_before_replace


@pytest.mark.parametrize("role", ROLES)
def test_container_is_a_child_of_its_component(deployed: ProgramRun, role: str) -> None:
    for container in deployed.replicas(role):
        assert container.options is not None
        assert container.options.parent.endswith(f"::{role}")


# --- dashboard replicas ---------------------------------------------------------------


def test_stack_declares_its_configured_number_of_replicas(deployed: ProgramRun) -> None:
    assert len(deployed.replicas(DASHBOARD)) == deployed.config.dashboard.replicas


def test_replica_names_are_distinct(deployed: ProgramRun) -> None:
    names = _replica_names(deployed)
    assert len(set(names)) == len(names) == deployed.config.dashboard.replicas


def test_replica_names_start_with_the_stack_prefix(deployed: ProgramRun) -> None:
    prefix = stack_naming(deployed.stack).container(DASHBOARD)
    for name in _replica_names(deployed):
        assert name.startswith(f"{prefix}-")


def test_replica_names_carry_the_release(deployed: ProgramRun) -> None:
    for name in _replica_names(deployed):
        assert f"-{deployed.exports['release']}-" in name


def test_replica_names_are_dns_labels(deployed: ProgramRun) -> None:
    # Peers (the monitor) resolve each replica by its container name.
    for name in _replica_names(deployed):
        assert DNS_LABEL.fullmatch(name), name
        assert len(name) <= 63


def test_replica_release_label_is_the_release_export(deployed: ProgramRun) -> None:
    labels = [_labels(inputs)["release"] for inputs in _each(deployed, DASHBOARD)]
    assert labels == [deployed.exports["release"]] * deployed.config.dashboard.replicas


def test_release_export_names_the_running_image(deployed: ProgramRun) -> None:
    assert deployed.exports["release"] == release_id(deployed.exports["image"])


def test_replicas_are_created_before_the_old_ones_are_deleted(deployed: ProgramRun) -> None:
    for container in deployed.replicas(DASHBOARD):
        options = container.options
        assert options is not None
        # Explicitly False: left unset, the provider's own default (delete first) applies.
        assert options.delete_before_replace_defined
        assert options.delete_before_replace is False


def test_each_replica_is_gated_until_healthy(deployed: ProgramRun) -> None:
    # The old replicas are deleted at the end of the update, after every gate passed.
    for replica in deployed.replicas(DASHBOARD):
        gate = deployed.companion(replica, "healthy")
        assert gate.type == DYNAMIC_TYPE
        assert gate.inputs["container_id"] == f"{replica.name}-id"
        assert gate.inputs["timeout_seconds"] == (
            deployed.config.dashboard.health_wait_timeout_seconds
        )


@pytest.mark.parametrize("dependent", [BACKUP_TYPE, MONITOR_TYPE])
def test_sidecars_follow_a_release_once_its_replicas_are_healthy(
    deployed: ProgramRun, dependent: str
) -> None:
    # A failed release leaves them as they were.
    (component,) = deployed.mocks.of_type(dependent)
    for replica in deployed.replicas(DASHBOARD):
        assert _depends_on(component, deployed.companion(replica, "healthy")), replica.name


def test_replicas_drain_before_they_stop(deployed: ProgramRun) -> None:
    for inputs in _each(deployed, DASHBOARD):
        assert float(_env_of(inputs)["DASHBOARD_DRAIN_SECONDS"]) == DRAIN_SECONDS


def test_replica_stop_timeout_covers_the_drain_and_gunicorns_graceful_stop(
    deployed: ProgramRun,
) -> None:
    for inputs in _each(deployed, DASHBOARD):
        drain = float(_env_of(inputs)["DASHBOARD_DRAIN_SECONDS"])
        # The app's own bound: the drain, gunicorn's graceful timeout, an exit margin.
        bound = stop_bound_seconds(Settings.model_construct(drain_seconds=drain))
        assert inputs["stopTimeout"] >= bound >= DRAIN_SECONDS + GRACEFUL_TIMEOUT_SECONDS
        assert inputs["destroyGraceSeconds"] >= bound


def test_replicas_publish_no_port(deployed: ProgramRun) -> None:
    for inputs in _each(deployed, DASHBOARD):
        assert not inputs.get("ports")


def test_dashboard_runs_the_server_command(deployed: ProgramRun) -> None:
    for inputs in _each(deployed, DASHBOARD):
        assert inputs["command"] == ["python", "-m", "dashboard"]


def test_dashboard_health_check_is_the_images_http_probe(deployed: ProgramRun) -> None:
    for inputs in _each(deployed, DASHBOARD):
        assert inputs["healthcheck"]["tests"] == ["CMD", "python", "-m", "dashboard.healthcheck"]


def test_dashboard_env_follows_stack(deployed: ProgramRun) -> None:
    organize = "true" if deployed.config.dashboard.organize_completed else "false"
    for inputs in _each(deployed, DASHBOARD):
        env = _env_of(inputs)
        assert env["DASHBOARD_LOG_LEVEL"] == deployed.config.logging.level
        assert env["DASHBOARD_ORGANIZE_COMPLETED"] == organize
        assert (env["DASHBOARD_TICKETS_DIR"], env["DASHBOARD_DATA_DIR"]) == ("/tickets", "/data")


def test_dashboard_mounts_tickets_and_data(deployed: ProgramRun) -> None:
    for inputs in _each(deployed, DASHBOARD):
        mounts = _mounts_of(inputs)
        assert mounts["/tickets"]["source"] == str(deployed.config.dashboard.tickets_dir)
        assert mounts["/tickets"]["type"] == "bind"
        # Status changes write to the tree unless the stack asks for a read-only dashboard.
        assert mounts["/tickets"]["readOnly"] is deployed.config.dashboard.tickets_read_only
        assert mounts["/data"]["readOnly"] is False
        # It only displays what the backup job and the monitor reported.
        assert mounts["/backups"]["readOnly"] is True
        assert mounts["/monitor"]["readOnly"] is True


def test_dashboard_reads_the_heartbeat_the_monitor_writes(deployed: ProgramRun) -> None:
    monitor = _mounts(deployed, "monitor")
    written = _env(deployed, "monitor")["DASHBOARD_MONITOR_HEARTBEAT_FILE"]
    assert written.startswith("/monitor/")
    for inputs in _each(deployed, DASHBOARD):
        assert _mounts_of(inputs)["/monitor"]["source"] == monitor["/monitor"]["source"]
        assert _env_of(inputs)["DASHBOARD_MONITOR_HEARTBEAT_FILE"] == written


# --- what a change renames ------------------------------------------------------------


def _bumped_size(size: str) -> str:
    """``10m`` -> ``11m``: another valid log size."""
    return f"{int(size[:-1]) + 1}{size[-1]}"


REPLICA_INPUT_CHANGES: dict[str, Callable[[StackConfig, Path], Any]] = {
    "logMaxSize": lambda config, _: _bumped_size(config.logging.max_size),
    "watchPolling": lambda config, _: str(not config.dashboard.watch_polling).lower(),
    "memoryLimit": lambda config, _: f"{whole_mebibytes(config.limits.memory_limit) + 64}Mi",
    # Only inside a mount: the name must cover the nested inputs too.
    "ticketsDir": lambda _, other_dir: str(other_dir),
}


@pytest.fixture
def other_tickets_dir(tmp_path: Path) -> Path:
    path = tmp_path / "other-tickets"
    path.mkdir()
    path.chmod(0o777)
    return path


class _Ballast:
    """As big as the provider's input objects (a plain instance with a __dict__)."""


def _rerun(
    monkeypatch: pytest.MonkeyPatch, run: ProgramRun, tickets_dir: Path, **changes: Any
) -> ProgramRun:
    """The next `up` after ``run``, with ``changes`` to the stack's config."""
    config, secret_keys = deployable_config(run.stack, tickets_dir)
    config.update({f"ticket-dashboard:{key}": value for key, value in changes.items()})
    # Held through the rerun so its objects land at other addresses than the first run's
    # did: a name token keeping an object's identity (its repr) would then be renewed.
    ballast = [_Ballast() for _ in range(20_000)]
    again = run_program(monkeypatch, run.stack, config, secret_keys=secret_keys, state=run.state)
    del ballast
    if again.error is not None:
        raise again.error
    return again


@pytest.mark.parametrize("key", REPLICA_INPUT_CHANGES)
def test_changing_a_replica_input_renames_every_replica(
    deployed: ProgramRun,
    monkeypatch: pytest.MonkeyPatch,
    tickets_dir: Path,
    other_tickets_dir: Path,
    key: str,
) -> None:
    # So the replacement, created before the old replica is deleted, never claims its name.
    value = REPLICA_INPUT_CHANGES[key](deployed.config, other_tickets_dir)
    changed = _rerun(monkeypatch, deployed, tickets_dir, **{key: value})
    before, after = _replica_names(deployed), _replica_names(changed)
    assert len(after) == len(before)
    assert not set(before) & set(after)


def test_going_back_after_a_failed_release_never_reuses_a_running_name(
    deployed: ProgramRun, monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    # A failed release deletes nothing: the replicas of `deployed` still run when the
    # next `up` puts their config back, so the engine would refuse their names.
    size = _bumped_size(deployed.config.logging.max_size)
    failed = _rerun(monkeypatch, deployed, tickets_dir, logMaxSize=size)
    back = _rerun(monkeypatch, failed, tickets_dir)
    assert not set(_replica_names(back)) & set(_replica_names(deployed))
    assert not set(_replica_names(back)) & set(_replica_names(failed))


def test_the_same_config_gives_the_same_replica_names(
    deployed: ProgramRun, monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    # Else every `up` would replace every replica, and preview --expect-no-changes fails.
    assert _replica_names(_rerun(monkeypatch, deployed, tickets_dir)) == _replica_names(deployed)


OTHER_CHANGES: dict[str, Callable[[StackConfig], Any]] = {
    "backupRetentionDays": lambda config: config.backup.retention_days + 1,
    # The health gate's, not the container's: a new timeout alone replaces nothing.
    "healthWaitTimeoutSeconds": lambda config: config.dashboard.health_wait_timeout_seconds + 1,
}


@pytest.mark.parametrize("key", OTHER_CHANGES)
def test_a_change_outside_the_replicas_keeps_their_names(
    deployed: ProgramRun, monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, key: str
) -> None:
    changes = {key: OTHER_CHANGES[key](deployed.config)}
    changed = _rerun(monkeypatch, deployed, tickets_dir, **changes)
    assert changed.config != deployed.config
    assert _replica_names(changed) == _replica_names(deployed)


# --- the proxy ------------------------------------------------------------------------


def test_proxy_port_bound_to_configured_address(deployed: ProgramRun) -> None:
    port = _published_port(deployed)
    assert port["ip"] == deployed.config.network.bind_address
    assert int(port["external"]) in deployed.config.network.port_range
    assert port["internal"] == PUBLISHED_CONTAINER_PORT
    assert port["protocol"] == "tcp"


def test_only_the_proxy_publishes_ports(deployed: ProgramRun) -> None:
    publishing = [
        item.name for item in deployed.containers() if unwrap_secrets(item.inputs).get("ports")
    ]
    assert publishing == [deployed.container(PROXY).name]


def test_proxy_waits_until_healthy(deployed: ProgramRun) -> None:
    assert _inputs(deployed, PROXY)["wait"] is True


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
    backup = _mounts(deployed, "backup")["/data"]["source"]
    for inputs in _each(deployed, DASHBOARD):
        assert _mounts_of(inputs)["/data"]["source"] == backup


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


def test_monitor_reaches_the_service_through_the_proxy(deployed: ProgramRun) -> None:
    proxy_name = _inputs(deployed, PROXY)["name"]
    assert _env(deployed, "monitor")["DASHBOARD_MONITOR_TARGET_URL"] == (
        f"http://{proxy_name}:{int(_published_port(deployed)['internal'])}"
    )


def test_monitor_reaches_each_replica_by_name(deployed: ProgramRun) -> None:
    urls = _env(deployed, "monitor")["DASHBOARD_MONITOR_REPLICA_URLS"].split(",")
    assert urls == [f"http://{name}:{workload.CONTAINER_PORT}" for name in _replica_names(deployed)]


def test_monitor_starts_once_the_proxy_is_up(deployed: ProgramRun) -> None:
    (monitor,) = deployed.mocks.of_type(MONITOR_TYPE)
    assert _depends_on(monitor, deployed.container(PROXY))


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


# --- release pruning ----------------------------------------------------------------------


def test_pruning_spares_the_running_image(deployed: ProgramRun) -> None:
    assert _pruning(deployed).inputs["running"] == deployed.exports["image"]


def test_pruning_keeps_the_configured_number_of_releases(deployed: ProgramRun) -> None:
    assert _pruning(deployed).inputs["keep"] == deployed.config.image.releases_kept


def test_pruning_looks_in_the_stacks_image_repository(deployed: ProgramRun) -> None:
    repository = deployed.only(IMAGE_TYPE).inputs["imageName"].split(":")[0]
    assert _pruning(deployed).inputs["repository"] == repository


def test_pruning_runs_once_the_replicas_are_healthy(deployed: ProgramRun) -> None:
    for replica in deployed.replicas(DASHBOARD):
        gate = deployed.companion(replica, "healthy")
        assert _depends_on(_pruning(deployed), gate), replica.name


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
        labels = _labels(registration.inputs)
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

EXPORTS = {
    "url",
    "host_port",
    "proxy_container",
    "dashboard_containers",
    "release",
    "healthy_releases",
    "backup_container",
    "monitor_container",
    "image",
    "image_name",
    "network_name",
    "network_subnet",
    "data_volume",
    "backups_volume",
    "monitor_volume",
}


def test_outputs_are_the_documented_set(deployed: ProgramRun) -> None:
    assert deployed.exports.keys() == EXPORTS


def test_url_and_host_port_are_the_proxys(deployed: ProgramRun) -> None:
    port = int(_published_port(deployed)["external"])
    assert deployed.exports["host_port"] == port
    assert deployed.exports["url"] == f"http://{deployed.config.network.bind_address}:{port}"


def test_outputs_name_the_fixed_name_containers(deployed: ProgramRun) -> None:
    for role in FIXED_NAME_ROLES:
        assert deployed.exports[f"{role}_container"] == _inputs(deployed, role)["name"]


def test_outputs_list_the_dashboard_replicas_in_order(deployed: ProgramRun) -> None:
    assert deployed.exports["dashboard_containers"] == _replica_names(deployed)


def test_outputs_describe_the_deployment(deployed: ProgramRun) -> None:
    exports = deployed.exports
    assert exports["network_subnet"] == str(deployed.config.network.subnet)
    assert exports["image"] == deployed.only(IMAGE_TYPE).state["repoDigest"]
    assert exports["image_name"] == deployed.only(IMAGE_TYPE).inputs["imageName"]
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


def test_token_reaches_each_replica_as_a_secret(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config, secret_keys = deployable_config("prod", tickets_dir)
    run = run_program(monkeypatch, "prod", config, secret_keys=secret_keys)
    replicas = run.replicas(DASHBOARD)
    assert len(replicas) == run.config.dashboard.replicas > 1
    for replica in replicas:
        assert _env_of(unwrap_secrets(replica.inputs))["DASHBOARD_API_TOKEN"] == TEST_TOKEN
        assert not [text for text in plain_strings(replica.inputs) if TEST_TOKEN in text]
    for role in FIXED_NAME_ROLES:
        assert "DASHBOARD_API_TOKEN" not in _env(run, role)


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
    second = run_program(monkeypatch, "prod", config, secret_keys=secret_keys, state=first.state)
    as_set = [
        {(item.type, item.name, repr(item.inputs)) for item in run.mocks.registrations}
        for run in (first, second)
    ]
    assert as_set[0] == as_set[1]
