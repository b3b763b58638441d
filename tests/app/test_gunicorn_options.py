"""How `python -m dashboard` configures gunicorn: one process, threads, quick shutdown."""

from __future__ import annotations

from collections.abc import Callable

from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker

from dashboard.server import DashboardWorker, gunicorn_options
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
