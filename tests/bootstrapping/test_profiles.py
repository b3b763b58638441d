"""What each bootstrap profile installs, and when the venv and Go tools count as current."""

from __future__ import annotations

import pytest

from bootstrap.dev_tools import built_from
from bootstrap.profiles import (
    CHROMIUM,
    DOCKER_COMPOSE,
    PROFILES,
    WRK,
    missing_packages,
    profile_building,
)
from bootstrap.settings import settings
from bootstrap.venv import requirements_stamp, venv_action


@pytest.mark.parametrize(
    ("python_exists", "stamp", "expected"),
    [
        (False, None, "create"),
        (False, "old", "create"),  # a stamp without a python is no venv
        (True, None, "install"),  # created, but the install never finished
        (True, "old", "install"),  # requirements.txt changed
        (True, "new", "keep"),
    ],
)
def test_venv_action(python_exists, stamp, expected):
    assert venv_action(python_exists, stamp, wanted="new") == expected


def test_venv_stamp_changes_when_requirements_change(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("flask==3.1.3\n")
    before = requirements_stamp(requirements)
    requirements.write_text("flask==3.1.4\n")
    assert requirements_stamp(requirements) != before


def test_venv_stamp_ignores_the_files_mtime(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("flask==3.1.3\n")
    before = requirements_stamp(requirements)
    requirements.touch()
    assert requirements_stamp(requirements) == before


@pytest.mark.parametrize(
    ("profile", "deploy", "apt_tools", "go_tools"),
    [
        ("venv", False, (), ()),
        ("lint", False, (), ("actionlint",)),
        ("deploy", True, (), ()),
        ("test", True, (CHROMIUM,), ("actionlint", "vegeta")),
        ("bench", True, (CHROMIUM, WRK, DOCKER_COMPOSE), ("actionlint", "vegeta")),
    ],
)
def test_what_each_profile_installs(profile, deploy, apt_tools, go_tools):
    chosen = PROFILES[profile]
    assert (chosen.deploy, chosen.apt_tools, chosen.go_tools) == (deploy, apt_tools, go_tools)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_go_tool_a_profile_builds_is_pinned_in_pyproject(profile):
    assert set(PROFILES[profile].go_tools) <= set(settings().go_tools)


def test_only_the_packages_of_missing_commands_are_installed():
    on_path = {"wrk"}.__contains__
    assert missing_packages((CHROMIUM, WRK, DOCKER_COMPOSE), on_path) == [
        "chromium",
        "chromium-driver",
        "docker-compose",
    ]


def test_nothing_is_installed_when_every_command_is_present():
    assert missing_packages((CHROMIUM, WRK), lambda _command: True) == []


def test_a_missing_go_tool_names_the_smallest_profile_that_builds_it():
    assert profile_building("actionlint") == "lint"
    assert profile_building("vegeta") == "test"  # the integration probe


GO_VERSION_M = """/work/.tools/bin/actionlint: go1.25.1
\tpath\tgithub.com/rhysd/actionlint/cmd/actionlint
\tmod\tgithub.com/rhysd/actionlint\tv1.7.12\th1:abc=
\tdep\tgithub.com/fatih/color\tv1.18.0\th1:def=
\tbuild\tCGO_ENABLED=0
"""


def test_a_go_binary_says_which_package_and_version_it_was_built_from():
    assert built_from(GO_VERSION_M) == "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"


def test_a_binary_of_another_version_is_not_current():
    older = GO_VERSION_M.replace("v1.7.12", "v1.7.11")
    assert built_from(older) != "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"


def test_a_binary_go_cannot_read_counts_as_unbuilt():
    assert built_from("") is None
