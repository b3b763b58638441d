"""Fixtures for the infra unit tests; the machinery is in harness.py."""

from pathlib import Path

import pytest

from .harness import ProgramRun, deployable_config, run_program


@pytest.fixture
def tickets_dir(tmp_path: Path) -> Path:
    path = tmp_path / "tickets"
    path.mkdir()
    path.chmod(0o777)  # the dashboard (uid 1001) writes in it; see test_tree_writability
    return path


@pytest.fixture(params=["dev", "prod"])
def deployed(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tickets_dir: Path
) -> ProgramRun:
    """The program run once per real stack file; fails loudly if the run failed."""
    config, secret_keys = deployable_config(request.param, tickets_dir)
    run = run_program(monkeypatch, request.param, config, secret_keys=secret_keys)
    if run.error is not None:
        raise run.error
    assert run.config is not None
    return run
