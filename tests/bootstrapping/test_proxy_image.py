"""The proxy image's decisions, without network or engine: what to build, keep and trim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootstrap import base_image, proxy_image
from bootstrap.settings import settings
from ticket_dashboard.workload import RUNTIME_GID, RUNTIME_UID


@pytest.mark.parametrize(
    ("found", "expected"),
    [("r1", "use"), ("r0", "rebuild"), ("", "rebuild"), (None, "debootstrap")],
)
def test_proxy_action(found, expected):
    assert proxy_image.proxy_action(found, "r1") == expected


def _no_build(*args, **kwargs):
    raise AssertionError("a present image of this recipe must not be rebuilt")


def test_present_proxy_image_of_this_recipe_is_used_without_building(monkeypatch):
    monkeypatch.setattr(proxy_image, "built_recipe", proxy_image.recipe_digest)
    monkeypatch.setattr(proxy_image, "_run", _no_build)
    monkeypatch.setattr(proxy_image.base_image, "import_rootfs", _no_build)
    proxy_image.ensure_proxy_base("proxy:test")


def test_present_proxy_image_of_another_recipe_is_rebuilt(monkeypatch):
    built = []
    monkeypatch.setattr(proxy_image, "built_recipe", lambda image: "an-older-recipe")
    monkeypatch.setattr(proxy_image.shutil, "which", lambda command: f"/usr/sbin/{command}")
    monkeypatch.setattr(proxy_image, "_run", lambda args, what: None)
    monkeypatch.setattr(proxy_image, "_trim", lambda rootfs: None)
    monkeypatch.setattr(
        proxy_image.base_image,
        "import_rootfs",
        lambda rootfs, image, changes: built.append(changes),
    )
    proxy_image.ensure_proxy_base("proxy:test")
    assert built == [proxy_image.import_changes("proxy:test")]


def test_the_image_is_labelled_with_its_recipe():
    digest = proxy_image.recipe_digest("proxy:test")
    (label,) = [c for c in proxy_image.import_changes("proxy:test") if c.startswith("LABEL ")]
    assert f'{proxy_image.RECIPE_LABEL}="{digest}"' in label


@pytest.mark.parametrize(
    ("part", "changed"),
    [
        ("PACKAGES", ("haproxy", "curl")),
        ("proxy_trim", lambda: ("usr/sbin/debugfs",)),
        ("HEALTH_CHECK_RETRIES", 4),
        ("RUNTIME_USER", "1002:1002"),
    ],
)
def test_the_recipe_changes_with_what_the_image_is_built_from(monkeypatch, part, changed):
    before = proxy_image.recipe_digest("proxy:test")
    monkeypatch.setattr(proxy_image, part, changed)
    assert proxy_image.recipe_digest("proxy:test") != before


def test_debootstrap_is_minbase_with_haproxy_from_the_given_mirror():
    command = proxy_image.debootstrap_command(Path("/x/rootfs"), "http://mirror.test/debian")
    assert command[:3] == ["debootstrap", "--variant=minbase", "--include=haproxy"]
    assert command[3:] == [base_image.DEBIAN_SUITE, "/x/rootfs", "http://mirror.test/debian"]


@pytest.mark.parametrize("needed", proxy_image.RUNTIME_FILES)
def test_trim_keeps_what_the_proxy_runs_with(needed):
    removing = [p for p in proxy_image.proxy_trim() if proxy_image.trim_removes(needed, p)]
    assert removing == []


def test_trim_drops_the_app_base_pattern_that_would_break_haproxy():
    libstdcxx = "usr/lib/x86_64-linux-gnu/libstdc++*"
    assert libstdcxx in base_image.TRIM
    assert libstdcxx not in proxy_image.proxy_trim()


@pytest.mark.parametrize(
    "pattern",
    ["usr/share/doc/*", "usr/share/man/*", "usr/share/locale/*", "usr/lib/apt", "usr/bin/perl*"],
)
def test_trim_still_removes_docs_locales_apt_and_perl(pattern):
    assert pattern in proxy_image.proxy_trim()


@pytest.mark.parametrize(
    ("path", "pattern", "removed"),
    [
        ("usr/share/doc/haproxy/copyright", "usr/share/doc/*", True),
        ("usr/lib/apt/methods/http", "usr/lib/apt", True),
        ("usr/lib/x86_64-linux-gnu/libstdc++.so.6", "usr/lib/x86_64-linux-gnu/libstdc++*", True),
        ("usr/sbin/haproxy", "usr/sbin/e2*", False),
        ("usr/share", "usr/share/doc/*", False),
        ("usr/bin/bash", "usr/bin/perl*", False),
    ],
)
def test_trim_removes_a_path_matched_itself_or_through_a_parent(path, pattern, removed):
    assert proxy_image.trim_removes(path, pattern) is removed


def test_image_default_user_is_the_stacks_runtime_user():
    assert f"{RUNTIME_UID}:{RUNTIME_GID}" == proxy_image.RUNTIME_USER
    changes = proxy_image.import_changes("proxy:test")
    assert f"USER {proxy_image.RUNTIME_USER}" in changes


def test_every_import_change_is_a_flag_and_its_instruction():
    changes = proxy_image.import_changes("proxy:test")
    assert changes[::2] == ["--change"] * (len(changes) // 2)
    instructions = {change.split(" ", 1)[0] for change in changes[1::2]}
    assert instructions == {"ENV", "USER", "CMD", "HEALTHCHECK", "LABEL"}


def test_image_health_check_is_the_programs_proxy_health_check():
    from ticket_dashboard.components.proxy import HEALTH_CHECK

    assert tuple(HEALTH_CHECK.test) == proxy_image.HEALTH_CHECK_TEST
    assert {
        "interval": HEALTH_CHECK.interval_seconds,
        "timeout": HEALTH_CHECK.timeout_seconds,
        "start-period": HEALTH_CHECK.start_period_seconds,
    } == proxy_image.HEALTH_CHECK_SECONDS
    assert HEALTH_CHECK.retries == proxy_image.HEALTH_CHECK_RETRIES


def test_health_check_instruction_is_exec_form_with_the_timings():
    instruction = proxy_image.healthcheck_instruction()
    options, _, command = instruction.partition(" CMD ")
    assert options == "--interval=3s --timeout=2s --start-period=10s --retries=3"
    assert json.loads(command) == list(proxy_image.HEALTH_CHECK_TEST)


def test_built_image_is_the_one_the_program_runs():
    from ticket_dashboard.project import PROXY_IMAGE

    assert settings().proxy_image == PROXY_IMAGE
