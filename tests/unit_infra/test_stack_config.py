"""Stack config: the real stack files parse, and every bad value is refused by name
before the program declares a single resource."""

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from ticket_dashboard.project import DEFAULT_BASE_IMAGE
from ticket_dashboard.settings.loader import ConfigError, parse_stack_config
from ticket_dashboard.settings.sections import KNOWN_KEYS, StackConfig
from ticket_dashboard.settings.types import PortRange
from ticket_dashboard.units import MEBIBYTE

from .harness import (
    PROJECT_ROOT,
    TEST_TOKEN,
    TOKEN_KEY,
    deployable_config,
    run_program,
    stack_file_config,
)

MiB = MEBIBYTE


def _prod(tickets_dir: Path) -> StackConfig:
    config, secret_keys = deployable_config("prod", tickets_dir)
    return parse_stack_config(config, secret_keys=secret_keys)


def _dev(tickets_dir: Path) -> StackConfig:
    config, secret_keys = deployable_config("dev", tickets_dir)
    return parse_stack_config(config, secret_keys=secret_keys)


# --- the stack files carry the issue's numbers ----------------------------------------


def test_prod_limits_follow_the_issue(tickets_dir: Path) -> None:
    config = _prod(tickets_dir)
    assert (config.limits.memory_limit, config.limits.cpu_limit) == (512 * MiB, 0.5)
    assert (config.limits.memory_reservation, config.limits.cpu_reservation) == (256 * MiB, 0.25)


def test_prod_network_ports_and_logs_follow_the_issue(tickets_dir: Path) -> None:
    config = _prod(tickets_dir)
    assert str(config.network.subnet) == "172.20.0.0/16"
    assert config.network.port_range == PortRange(3000, 3004)
    assert (config.logging.max_size, config.logging.max_files) == ("10m", 3)


def test_prod_backup_and_monitor_follow_the_issue(tickets_dir: Path) -> None:
    config = _prod(tickets_dir)
    assert (config.backup.schedule, config.backup.retention_days) == ("0 2 * * *", 30)
    assert config.monitor.interval_seconds == 60
    assert config.monitor.cpu_threshold_percent == 80
    assert config.monitor.memory_threshold_percent == 80


def test_dev_runs_one_replica_and_prod_two(tickets_dir: Path) -> None:
    assert (_dev(tickets_dir).dashboard.replicas, _prod(tickets_dir).dashboard.replicas) == (1, 2)


def test_stacks_keep_five_releases(tickets_dir: Path) -> None:
    for config in (_dev(tickets_dir), _prod(tickets_dir)):
        assert config.image.releases_kept == 5


def test_a_deployed_stack_runs_its_build(tickets_dir: Path) -> None:
    # `make up` drops the pin a rollback left in the stack file.
    for config in (_dev(tickets_dir), _prod(tickets_dir)):
        assert config.image.release is None


def test_a_release_pin_is_read_into_the_image_section(tickets_dir: Path) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    config["ticket-dashboard:release"] = "0123456789ab"
    assert parse_stack_config(config).image.release == "0123456789ab"


def test_dev_uses_its_own_ports_and_subnet(tickets_dir: Path) -> None:
    dev, prod = _dev(tickets_dir), _prod(tickets_dir)
    assert dev.network.port_range == PortRange(3100, 3104)
    assert not dev.network.subnet.overlaps(prod.network.subnet)


def test_base_image_defaults_to_public_python_slim(tickets_dir: Path) -> None:
    # bootstrap builds an equivalent under this name where no registry answers,
    # so the stack files need not name a local image.
    assert _dev(tickets_dir).image.base_image == DEFAULT_BASE_IMAGE


def test_base_image_can_be_overridden(tickets_dir: Path) -> None:
    config = stack_file_config("dev")
    config["ticket-dashboard:baseImage"] = "registry.example/python:3.11"
    config["ticket-dashboard:ticketsDir"] = str(tickets_dir)
    assert parse_stack_config(config).image.base_image == "registry.example/python:3.11"


def test_gateway_defaults_to_first_host_of_subnet(tickets_dir: Path) -> None:
    assert _prod(tickets_dir).network.gateway_address == "172.20.0.1"


def test_bind_address_defaults_to_loopback(tickets_dir: Path) -> None:
    config = stack_file_config("dev")
    del config["ticket-dashboard:bindAddress"]
    config["ticket-dashboard:ticketsDir"] = str(tickets_dir)
    assert parse_stack_config(config).network.bind_address == "127.0.0.1"


def test_dev_tickets_dir_is_relative_to_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "samples" / "tickets").mkdir(parents=True)
    (tmp_path / "samples" / "tickets").chmod(0o777)
    config = parse_stack_config(stack_file_config("dev"), project_root=tmp_path)
    assert config.dashboard.tickets_dir == tmp_path / "samples" / "tickets"


def test_prod_stack_file_holds_no_secret() -> None:
    text = (PROJECT_ROOT / "Pulumi.prod.yaml").read_text()
    config = yaml.safe_load(text)["config"]
    assert TOKEN_KEY not in config
    assert "secure" not in text


def test_token_stays_masked_in_the_model(tickets_dir: Path) -> None:
    config = _prod(tickets_dir)
    assert TEST_TOKEN not in repr(config)
    assert TEST_TOKEN not in str(config.model_dump())


def test_memory_accepts_docker_and_kubernetes_spellings(tickets_dir: Path) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    for spelling, expected in [("512Mi", 512 * MiB), ("512m", 512 * MiB), ("1g", 1024 * MiB)]:
        config["ticket-dashboard:memoryLimit"] = spelling
        assert parse_stack_config(config).limits.memory_limit == expected


def test_every_model_field_is_a_documented_camel_case_key() -> None:
    assert {"memoryLimit", "apiToken", "portRange", "ticketsDir"} <= KNOWN_KEYS
    assert {"backupSchedule", "monitorWebhookUrl", "logMaxFiles", "protectData"} <= KNOWN_KEYS


def test_each_section_reads_its_own_keys(tickets_dir: Path) -> None:
    config = _prod(tickets_dir)
    assert config.backup.on_start is False
    assert config.logging.level == "INFO"
    assert config.storage.protect_data is True
    assert config.dashboard.organize_completed is True


CROSS_FIELD = [
    pytest.param({"memoryReservation": "1g", "memoryLimit": "512Mi"}, "must not exceed"),
    pytest.param({"cpuReservation": "0.75", "cpuLimit": "0.5"}, "must not exceed"),
    pytest.param({"gateway": "10.9.9.9", "subnet": "172.21.0.0/16"}, "host address of subnet"),
    pytest.param({"apiToken": "short", "requireApiToken": "true"}, "at least 16"),
]


@pytest.mark.parametrize("order", ["as-written", "reversed"])
@pytest.mark.parametrize(("pair", "message"), CROSS_FIELD)
def test_cross_field_checks_do_not_depend_on_key_order(
    tickets_dir: Path, pair: dict[str, str], message: str, order: str
) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    items = list(pair.items()) if order == "as-written" else list(reversed(pair.items()))
    for key, value in items:
        config.pop(f"ticket-dashboard:{key}", None)
        config[f"ticket-dashboard:{key}"] = value
    with pytest.raises(ConfigError, match=message):
        parse_stack_config(config, secret_keys=("ticket-dashboard:apiToken",))


# --- invalid configs: refused with a message naming the key -----------------------------

INVALID = [
    pytest.param({"subnet": "172.20.0.1/16"}, "ticket-dashboard:subnet", id="cidr-host-bits"),
    pytest.param({"subnet": "not-a-cidr"}, "IPv4 CIDR", id="cidr-garbage"),
    pytest.param({"gateway": "10.9.9.9"}, "ticket-dashboard:gateway", id="gateway-outside"),
    pytest.param({"memoryLimit": "12 parsecs"}, "memory size like 512Mi", id="memory-string"),
    pytest.param({"memoryReservation": "1g"}, "must not exceed", id="reservation-above-limit"),
    pytest.param({"cpuLimit": "-1"}, "ticket-dashboard:cpuLimit", id="cpu-negative"),
    pytest.param({"backupSchedule": "61 2 * * *"}, "cron expression", id="cron-bad-minute"),
    pytest.param({"backupSchedule": "daily"}, "ticket-dashboard:backupSchedule", id="cron-word"),
    pytest.param({"backupSchedule": "0 2 * * * *"}, "5-field cron", id="cron-six-fields"),
    # Bounds only the app's BackupSettings and MonitorSettings hold, under the stack key.
    pytest.param(
        {"backupRetentionDays": "5000"}, "backupRetentionDays: Input should be less", id="ret-max"
    ),
    pytest.param(
        {"monitorWebhookUrl": "http://"}, "monitorWebhookUrl: not an http", id="webhook-no-host"
    ),
    pytest.param({"portRange": "3104-3100"}, "inside out", id="port-range-inside-out"),
    pytest.param({"portRange": "31OO-3104"}, "port range like", id="port-range-garbage"),
    pytest.param({"hostPort": "70000"}, "ticket-dashboard:hostPort", id="host-port-too-big"),
    pytest.param({"bindAddress": "localhost"}, "IP address", id="bind-address-name"),
    pytest.param({"restartPolicy": "sometimes"}, "unless-stopped", id="restart-policy"),
    pytest.param({"logMaxSize": "10MB"}, "Docker log size", id="log-size"),
    pytest.param({"pidsLimit": "lots"}, "ticket-dashboard:pidsLimit", id="pids-not-int"),
    pytest.param({"monitorCpuThresholdPercent": "0"}, "greater than 0", id="cpu-pct"),
    pytest.param(
        {"monitorCpuThresholdPercent": "150"}, "less than or equal to 100", id="cpu-pct-over-limit"
    ),
    pytest.param({"monitorMemoryThresholdPercent": "120"}, "less than or equal", id="mem-pct"),
    pytest.param({"monitorWebhookUrl": "ftp://x"}, "http", id="webhook-scheme"),
    pytest.param({"ticketsDir": "/nonexistent/tickets"}, "existing directory", id="tickets-gone"),
    pytest.param({"memroyLimit": "1g"}, "did you mean ticket-dashboard:memoryLimit", id="typo"),
    pytest.param({"requireApiToken": "true"}, "pulumi config set --secret", id="no-token"),
    pytest.param(
        {"replicas": "0"},
        "ticket-dashboard:replicas: Input should be greater than or equal to 1",
        id="replicas-none",
    ),
    pytest.param(
        {"replicas": "9"},
        "ticket-dashboard:replicas: Input should be less than or equal to 8",
        id="replicas-too-many",
    ),
    pytest.param(
        {"replicas": "two"},
        "ticket-dashboard:replicas: Input should be a valid integer",
        id="replicas-word",
    ),
    pytest.param(
        {"release": "xyz"}, "ticket-dashboard:release: expected a release id", id="release-xyz"
    ),
    pytest.param(
        {"release": "0123456789AB"},
        "ticket-dashboard:release: expected a release id",
        id="release-upper-case",
    ),
    pytest.param(
        {"releasesKept": "0"},
        "ticket-dashboard:releasesKept: Input should be greater than or equal to 1",
        id="releases-kept-none",
    ),
]


def _invalid(tickets_dir: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    config, _ = deployable_config("dev", tickets_dir)
    config.update({f"ticket-dashboard:{key}": value for key, value in overrides.items()})
    return config


@pytest.mark.parametrize(("overrides", "message"), INVALID)
def test_invalid_config_is_rejected_by_name(
    tickets_dir: Path, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("+", r"\+")):
        parse_stack_config(_invalid(tickets_dir, overrides))


@pytest.mark.parametrize(("overrides", "message"), INVALID)
def test_invalid_config_declares_no_resource(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, overrides: dict[str, Any], message: str
) -> None:
    run = run_program(monkeypatch, "dev", _invalid(tickets_dir, overrides))
    assert isinstance(run.error, ConfigError)
    assert message in str(run.error)
    assert run.mocks.registrations == []


def test_prod_without_token_fails_with_the_command_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> None:
    config = stack_file_config("prod")
    config["ticket-dashboard:ticketsDir"] = str(tickets_dir)
    run = run_program(monkeypatch, "prod", config)
    assert isinstance(run.error, ConfigError)
    assert "pulumi config set --secret ticket-dashboard:apiToken" in str(run.error)
    assert run.mocks.registrations == []


def test_prod_without_tickets_dir_fails_naming_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = stack_file_config("prod")
    config[TOKEN_KEY] = TEST_TOKEN
    run = run_program(monkeypatch, "prod", config, secret_keys=(TOKEN_KEY,))
    assert "ticket-dashboard:ticketsDir: required" in str(run.error)
    assert run.mocks.registrations == []


def test_token_set_without_secret_is_refused(tickets_dir: Path) -> None:
    config, _ = deployable_config("prod", tickets_dir)
    with pytest.raises(ConfigError, match="stored in plain text"):
        parse_stack_config(config, secret_keys=())


def test_short_token_is_refused_without_echoing_it(tickets_dir: Path) -> None:
    config, secret_keys = deployable_config("prod", tickets_dir)
    config[TOKEN_KEY] = "hunter2"
    with pytest.raises(ConfigError, match="at least 16 characters") as caught:
        parse_stack_config(config, secret_keys=secret_keys)
    assert "hunter2" not in str(caught.value)


def test_encrypted_value_outside_the_cli_is_explained(tickets_dir: Path) -> None:
    config, secret_keys = deployable_config("prod", tickets_dir)
    config[TOKEN_KEY] = {"secure": "v1:abc"}
    with pytest.raises(ConfigError, match="only the Pulumi CLI can decrypt"):
        parse_stack_config(config, secret_keys=secret_keys)


def test_all_problems_are_reported_at_once(tickets_dir: Path) -> None:
    config = _invalid(tickets_dir, {"subnet": "nope", "memoryLimit": "lots", "typo": "1"})
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(config)
    message = str(caught.value)
    for key in ("subnet", "memoryLimit", "typo"):
        assert f"ticket-dashboard:{key}" in message


def test_backup_schedule_accepts_cron_aliases(tickets_dir: Path) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    config["ticket-dashboard:backupSchedule"] = "@daily"
    assert parse_stack_config(config).backup.schedule == "@daily"


def test_other_namespaces_are_ignored(tickets_dir: Path) -> None:
    config, _ = deployable_config("dev", tickets_dir)
    config["docker:host"] = "unix:///var/run/docker.sock"
    assert parse_stack_config(config).network.port_range == PortRange(3100, 3104)


# --- the tree the dashboard writes -------------------------------------------------------


def _with_tree(tickets_dir: Path, **overrides: str) -> dict[str, Any]:
    config, _ = deployable_config("dev", tickets_dir)
    config.update({f"ticket-dashboard:{key}": value for key, value in overrides.items()})
    return config


def test_a_tree_uid_1001_cannot_write_is_refused_naming_the_folder(tickets_dir: Path) -> None:
    closed = tickets_dir / "planning" / "tickets" / "ops"
    closed.mkdir(parents=True)
    for folder in (tickets_dir / "planning", closed.parent):
        folder.chmod(0o777)
    closed.chmod(0o755)  # root's, like a fresh checkout
    with pytest.raises(ConfigError) as raised:
        parse_stack_config(_with_tree(tickets_dir))
    message = str(raised.value)
    assert "ticket-dashboard:ticketsDir" in message and str(closed) in message
    assert "chgrp -R 1001" in message and "ticketsReadOnly" in message


def test_a_group_1001_writable_tree_is_accepted(tickets_dir: Path) -> None:
    (tickets_dir / "planning").mkdir()
    os.chown(tickets_dir / "planning", 0, 1001)
    (tickets_dir / "planning").chmod(0o775)
    assert parse_stack_config(_with_tree(tickets_dir)).dashboard.tickets_read_only is False


def test_a_read_only_stack_needs_no_writable_tree(tickets_dir: Path) -> None:
    (tickets_dir / "planning").mkdir(mode=0o755)
    config = parse_stack_config(_with_tree(tickets_dir, ticketsReadOnly="true"))
    assert config.dashboard.tickets_read_only is True


def test_organize_on_a_read_only_tree_is_refused(tickets_dir: Path) -> None:
    overrides = {"ticketsReadOnly": "true", "organizeCompleted": "true"}
    with pytest.raises(ConfigError, match="organizeCompleted moves ticket files"):
        parse_stack_config(_with_tree(tickets_dir, **overrides))
