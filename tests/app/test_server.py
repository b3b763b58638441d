"""How `python -m dashboard` configures gunicorn: one process, threads, quick shutdown."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker

from dashboard.server import DashboardLogger, DashboardWorker, gunicorn_options
from dashboard.settings import Settings


def test_one_threaded_worker_bound_to_configured_port(make_settings: Callable[..., Settings]):
    settings = make_settings(port=8123, threads=12)

    options = gunicorn_options(settings)

    assert options["workers"] == 1
    assert options["threads"] == 12
    assert options["bind"] == ["0.0.0.0:8123"]
    assert options["graceful_timeout"] < 10


def test_options_are_accepted_by_gunicorn(make_settings: Callable[..., Settings]):
    config = Config()

    for key, value in gunicorn_options(make_settings()).items():
        config.set(key, value)

    assert config.worker_class is DashboardWorker
    assert issubclass(DashboardWorker, ThreadWorker)
    assert config.workers == 1


def test_connections_and_listen_backlog_are_bounded(make_settings: Callable[..., Settings]):
    options = gunicorn_options(make_settings())

    assert 0 < options["worker_connections"] <= 10_000
    assert 0 < options["backlog"] <= 4096


def test_access_line_is_not_built_when_the_access_log_is_off(monkeypatch: pytest.MonkeyPatch):
    logger = object.__new__(DashboardLogger)  # no setup(): that reconfigures global logging
    logger.access_log = logging.getLogger("test.gunicorn.access.off")
    logger.access_log.setLevel(logging.WARNING)  # what logging_config sets when it is off

    def no_atoms(*_args: object) -> dict:
        raise AssertionError("access-log fields built for a log that is off")

    monkeypatch.setattr(logger, "atoms", no_atoms)

    logger.access(None, None, {}, None)
