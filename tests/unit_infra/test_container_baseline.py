"""No component can override the container baseline: every key it sets is refused."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi_docker as docker
import pytest

import ticket_dashboard.components.backup as backup_module
from ticket_dashboard.containers import hardened
from ticket_dashboard.containers.hardened import ROLE_EXTRAS, hardened_container
from ticket_dashboard.ports import PUBLISHED_CONTAINER_PORT as LISTEN_PORT

from .harness import ProgramRun, deployable_config, run_program

CONTAINER_NAME_ARGUMENT = "name"


def _run_dev(monkeypatch: pytest.MonkeyPatch, tickets_dir: Path) -> ProgramRun:
    config, secret_keys = deployable_config("dev", tickets_dir)
    return run_program(monkeypatch, "dev", config, secret_keys=secret_keys)


def _container_keywords(monkeypatch: pytest.MonkeyPatch, tickets_dir: Path) -> dict[str, set]:
    """The keywords ``docker.Container`` receives, per container resource name."""
    received: dict[str, set[str]] = {}
    real = docker.Container

    def recording(resource_name: str, *args: Any, **kwargs: Any) -> docker.Container:
        received[resource_name] = set(kwargs)
        return real(resource_name, *args, **kwargs)

    monkeypatch.setattr(hardened.docker, "Container", recording)
    run = _run_dev(monkeypatch, tickets_dir)
    assert run.error is None, run.error
    monkeypatch.setattr(hardened.docker, "Container", real)
    return received


def _baseline_keys(monkeypatch: pytest.MonkeyPatch, tickets_dir: Path) -> list[str]:
    """Everything hardened_container passes for a role that adds nothing (the backup):
    read from what the code does, so a new baseline key is covered without an edit."""
    keys = _container_keywords(monkeypatch, tickets_dir)["backup-container"]
    assert {CONTAINER_NAME_ARGUMENT, "read_only", "user", "memory"} <= keys  # the spy works
    return sorted(keys)


def _backup_passing(extra: dict[str, Any]) -> Callable[..., docker.Container]:
    def passing(*args: Any, **kwargs: Any) -> docker.Container:
        return hardened_container(*args, **kwargs, **extra)

    return passing


def test_a_component_cannot_override_any_baseline_key(monkeypatch, tickets_dir):
    baseline_keys = _baseline_keys(monkeypatch, tickets_dir)
    accepted = []
    for key in baseline_keys:
        with monkeypatch.context() as patch:
            patch.setattr(backup_module, "hardened_container", _backup_passing({key: False}))
            run = _run_dev(patch, tickets_dir)
        if not _refused(run.error, key):
            accepted.append((key, run.error))
    assert accepted == [], f"overrides not refused with a TypeError naming the key: {accepted}"


def _refused(error: Exception | None, key: str) -> bool:
    # name, command, envs and mounts are hardened_container's own parameters: Python
    # refuses them at the call; every other key is refused by refuse_overrides.
    message = str(error)
    return isinstance(error, TypeError) and (
        f"hardened_container: {key} is set by the container baseline" in message
        or re.search(rf"multiple values for (keyword )?argument '{key}'", message) is not None
    )


def test_an_override_names_the_key_and_where_the_baseline_lives(monkeypatch, tickets_dir):
    monkeypatch.setattr(backup_module, "hardened_container", _backup_passing({"read_only": False}))
    run = _run_dev(monkeypatch, tickets_dir)
    assert isinstance(run.error, TypeError)
    assert "read_only is set by the container baseline" in str(run.error)
    assert "change HARDENING" in str(run.error)


def test_an_argument_outside_the_role_extras_is_refused(monkeypatch, tickets_dir):
    monkeypatch.setattr(backup_module, "hardened_container", _backup_passing({"dns": ["1.1.1.1"]}))
    run = _run_dev(monkeypatch, tickets_dir)
    assert isinstance(run.error, TypeError)
    assert "dns is not an argument a role may add" in str(run.error)
    assert "ROLE_EXTRAS" in str(run.error)


def test_no_role_extra_is_a_baseline_key(monkeypatch, tickets_dir):
    assert ROLE_EXTRAS.isdisjoint(_baseline_keys(monkeypatch, tickets_dir))


def test_every_role_extra_reaches_a_container(monkeypatch, tickets_dir):
    # The legitimate extras still work (and the allowed list holds no dead entry).
    received = _container_keywords(monkeypatch, tickets_dir)
    passed = set().union(*received.values())
    assert passed >= ROLE_EXTRAS


def test_the_proxy_keeps_its_published_port_and_wait(monkeypatch, tickets_dir):
    run = _run_dev(monkeypatch, tickets_dir)
    assert run.error is None, run.error
    proxy = run.container("proxy").inputs
    assert proxy["wait"] is True
    assert [port["internal"] for port in proxy["ports"]] == [LISTEN_PORT]
    assert proxy["readOnly"] is True
