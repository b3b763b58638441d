"""Bootstrap's decisions, without network: what to use, build, start or refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap import base_image, docker_engine, pulumi_tools
from bootstrap.pins import Pins, read_pins
from bootstrap.progress import BootstrapError
from bootstrap.pulumi_env import DEV_PASSPHRASE, pulumi_env
from bootstrap.settings import settings, tools_dir

ROOT = Path(__file__).resolve().parents[2]
PINS = Pins(pulumi="3.246.0", pulumi_docker="5.1.0")


@pytest.mark.parametrize(
    ("found", "plugins", "expected"),
    [
        ("v3.246.0", ["5.1.0"], "existing"),
        ("v3.246.0", ["5.1.0", "4.5.0"], "existing"),
        ("v3.246.0", [], "build"),  # right CLI, no docker plugin
        ("v3.246.0", ["5.2.0"], "build"),  # plugin of another version
        ("v3.245.0", ["5.1.0"], "build"),  # CLI one release off
        (None, [], "build"),  # no pulumi at all
    ],
)
def test_existing_pulumi_is_used_only_when_cli_and_plugin_match_the_pins(found, plugins, expected):
    assert pulumi_tools.choose_source(found, plugins, PINS) == expected


@pytest.mark.parametrize(
    ("answers", "installed", "root", "expected"),
    [
        (True, True, True, "use"),
        (True, False, False, "use"),  # an answering engine is never touched, root or not
        (False, True, True, "start"),
        (False, False, True, "install"),
    ],
)
def test_engine_action(answers, installed, root, expected):
    assert docker_engine.engine_action(answers, installed, root) == expected


def test_engine_that_needs_starting_without_root_says_how_to_fix():
    with pytest.raises(BootstrapError) as raised:
        docker_engine.engine_action(answers=False, dockerd_installed=True, is_root=False)
    assert "needs root" in raised.value.what
    assert "sudo" in raised.value.fix


@pytest.mark.parametrize(
    ("present", "pullable", "expected"),
    [
        (True, False, "use"),
        (True, True, "use"),
        (False, True, "pull"),
        (False, False, "debootstrap"),
    ],
)
def test_base_image_action(present, pullable, expected):
    assert base_image.base_action(present, pullable) == expected


def test_configured_base_reads_the_stack_file(tmp_path):
    stack = tmp_path / "Pulumi.x.yaml"
    stack.write_text("config:\n  ticket-dashboard:baseImage: 'debian-py:1'\n")
    assert base_image.configured_base(stack) == "debian-py:1"


def test_configured_base_defaults_to_the_project_default(tmp_path):
    stack = tmp_path / "Pulumi.x.yaml"
    stack.write_text("config:\n  ticket-dashboard:portRange: 3100-3104\n")
    assert base_image.configured_base(stack) == settings().default_base_image


def test_debian_mirror_comes_from_apt_sources_not_security(tmp_path):
    (tmp_path / "a.sources").write_text(
        "Types: deb\nURIs: http://mirror.test/debian\nSuites: bookworm\n\n"
        "Types: deb\nURIs: http://mirror.test/debian-security\n"
    )
    assert base_image.debian_mirror(tmp_path) == "http://mirror.test/debian"


def test_pins_are_read_from_requirements():
    pins = read_pins(ROOT / "requirements.txt")
    assert pins.pulumi.count(".") == 2 and pins.pulumi_docker.count(".") == 2


def test_missing_pin_is_named(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pulumi>=3\npulumi-docker==5.1.0\n")
    with pytest.raises(ValueError, match="pulumi"):
        read_pins(requirements)


def test_dev_stack_gets_the_documented_passphrase(tmp_path):
    env = pulumi_env(tmp_path, "dev", {"PATH": "/usr/bin"})
    assert env["PULUMI_CONFIG_PASSPHRASE"] == DEV_PASSPHRASE
    assert env["PULUMI_BACKEND_URL"] == f"file://{tmp_path / '.pulumi-state'}"


def test_prod_without_passphrase_is_refused_with_the_fix(tmp_path):
    with pytest.raises(BootstrapError) as raised:
        pulumi_env(tmp_path, "prod", {"PATH": "/usr/bin"})
    assert "PULUMI_CONFIG_PASSPHRASE" in raised.value.what
    assert "export PULUMI_CONFIG_PASSPHRASE" in raised.value.fix


def test_prod_with_passphrase_is_accepted(tmp_path):
    env = pulumi_env(tmp_path, "prod", {"PULUMI_CONFIG_PASSPHRASE": "s3cret"})
    assert env["PULUMI_CONFIG_PASSPHRASE"] == "s3cret"


def test_opt_out_keeps_the_users_backend(tmp_path):
    env = pulumi_env(tmp_path, "dev", {"TD_USE_CURRENT_BACKEND": "1"})
    assert "PULUMI_BACKEND_URL" not in env
    assert not (tmp_path / ".pulumi-state").exists()


def test_toolchain_record_puts_built_binaries_first_on_path(tmp_path):
    tools_dir(tmp_path).mkdir()
    (tools_dir(tmp_path) / "toolchain.json").write_text(
        '{"bin_dir": "/x/.tools/bin", "pulumi_home": "/x/.tools/pulumi-home"}'
    )
    env = pulumi_env(tmp_path, "dev", {"PATH": "/usr/bin"})
    assert env["PATH"].startswith("/x/.tools/bin:")
    assert env["PULUMI_HOME"] == "/x/.tools/pulumi-home"


def test_sample_tree_gid_is_the_containers_gid():
    from bootstrap.ticket_tree import RUNTIME_GID
    from ticket_dashboard.workload import RUNTIME_GID as WORKLOAD_GID

    assert RUNTIME_GID == WORKLOAD_GID
