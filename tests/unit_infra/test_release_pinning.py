"""A rollback pins an earlier release (``ticket-dashboard:release``): the program runs it.

The engine is a fake holding a few images of the stack's repository (and one of another
stack's); the rest of the run is the real program under mocks.
"""

from pathlib import Path

import pytest

from ticket_dashboard.naming import DASHBOARD, PROXY, ROLES, stack_naming
from ticket_dashboard.releases import ReleaseNotFound, release_id

from .harness import (
    DYNAMIC_TYPE,
    IMAGE_TYPE,
    PROXY_IMAGE_ID,
    FakeEngine,
    FakeImage,
    ProgramRun,
    deployable_config,
    engine_with,
    run_program,
    unwrap_secrets,
)

STACK = "dev"
REPOSITORY = stack_naming(STACK).image_repository
OLDER = FakeImage("sha256:" + "a1" * 32, "2026-01-05T10:00:00Z", [f"{REPOSITORY}:1111"])
PREVIOUS = FakeImage("sha256:" + "b2" * 32, "2026-01-06T10:00:00Z", [f"{REPOSITORY}:2222"])
ELSEWHERE = FakeImage("sha256:" + "c3" * 32, "2026-01-07T10:00:00Z", ["ticket-dashboard-prod:3"])
PIN = release_id(PREVIOUS.id)
APP_ROLES = tuple(role for role in ROLES if role != PROXY)


@pytest.fixture
def engine() -> FakeEngine:
    return engine_with(OLDER, PREVIOUS, ELSEWHERE)


def _run_pinned(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, engine: FakeEngine, pin: str
) -> ProgramRun:
    config, secret_keys = deployable_config(STACK, tickets_dir)
    config["ticket-dashboard:release"] = pin
    return run_program(monkeypatch, STACK, config, secret_keys=secret_keys, engine=engine)


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, engine: FakeEngine) -> ProgramRun:
    run = _run_pinned(monkeypatch, tickets_dir, engine, PIN)
    if run.error is not None:
        raise run.error
    return run


def test_a_pinned_release_runs_in_every_app_container(pinned: ProgramRun) -> None:
    for role in APP_ROLES:
        containers = pinned.replicas(role)
        assert containers, role
        for container in containers:
            assert container.inputs["image"] == PREVIOUS.id, container.name


def test_a_pinned_release_leaves_the_proxy_on_its_own_image(pinned: ProgramRun) -> None:
    assert pinned.container(PROXY).inputs["image"] == PROXY_IMAGE_ID


def test_a_pinned_release_is_the_release_and_image_exported(pinned: ProgramRun) -> None:
    assert (pinned.exports["release"], pinned.exports["image"]) == (PIN, PREVIOUS.id)


def test_a_pinned_release_labels_and_names_the_replicas(pinned: ProgramRun) -> None:
    for replica in pinned.replicas(DASHBOARD):
        inputs = unwrap_secrets(replica.inputs)
        labels = {item["label"]: item["value"] for item in inputs["labels"]}
        assert labels["release"] == PIN
        assert f"-{PIN}-" in inputs["name"]


def test_a_pinned_release_is_spared_by_pruning(pinned: ProgramRun) -> None:
    (pruning,) = [item for item in pinned.mocks.of_type(DYNAMIC_TYPE) if item.name == "releases"]
    assert pruning.inputs["running"] == PREVIOUS.id


def test_a_pinned_release_still_declares_the_build(pinned: ProgramRun) -> None:
    # Dropping the build from the program would delete it from state on a rollback.
    assert pinned.only(IMAGE_TYPE).inputs["imageName"].startswith(f"{REPOSITORY}:")


def test_the_engine_is_closed_after_the_lookup(pinned: ProgramRun, engine: FakeEngine) -> None:
    assert engine.closed


def test_an_unknown_pin_fails_naming_the_releases_there_are(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, engine: FakeEngine
) -> None:
    run = _run_pinned(monkeypatch, tickets_dir, engine, "d" * 12)
    assert isinstance(run.error, ReleaseNotFound)
    message = str(run.error)
    assert "d" * 12 in message
    assert release_id(OLDER.id) in message and PIN in message
    assert release_id(ELSEWHERE.id) not in message  # another stack's image is no release


def test_an_unknown_pin_declares_no_container(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, engine: FakeEngine
) -> None:
    run = _run_pinned(monkeypatch, tickets_dir, engine, "d" * 12)
    assert run.error is not None
    assert run.containers() == []
    assert not [item for item in run.mocks.of_type(DYNAMIC_TYPE) if item.name == "releases"]
