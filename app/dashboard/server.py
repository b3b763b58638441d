"""Run the app under gunicorn: one worker process, many threads.

One process, because the ticket index, the watcher and the live-update feed live in
memory and must exist once. Threads (gthread), because each open live-update stream
holds a thread. On SIGTERM the worker closes the feed first, so open streams end and
the graceful shutdown does not wait for them; the watcher stops in the worker-exit hook.
"""

from __future__ import annotations

import logging
import os
import threading
from types import FrameType
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker

from dashboard.app import create_app, start_services, stop_services
from dashboard.logging import logging_config
from dashboard.services import services_of
from dashboard.settings import Settings

log = logging.getLogger(__name__)
GRACEFUL_TIMEOUT_SECONDS = 5
SHARED_MEMORY_DIR = "/dev/shm"  # noqa: S108 - gunicorn's documented choice for containers


class DashboardWorker(ThreadWorker):
    """gthread worker that ends the live-update streams as soon as SIGTERM arrives."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        app = getattr(self, "wsgi", None)
        if isinstance(app, Flask):
            # In a thread: a signal handler must not wait on locks the interrupted code holds.
            threading.Thread(target=services_of(app).feed.close, daemon=True).start()


def _worker_exit(_arbiter: Arbiter, worker: Worker) -> None:
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        stop_services(app)
        log.info("services stopped")


class DashboardServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.settings).items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Runs in the worker process, so the watcher's threads are the worker's."""
        return start_services(create_app(self.settings))


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "bind": [f"{settings.host}:{settings.port}"],
        "workers": 1,
        "worker_class": f"{__name__}.DashboardWorker",
        "threads": settings.threads,
        "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
        "timeout": 30,
        "keepalive": 5,
        "worker_exit": _worker_exit,
        "logconfig_dict": logging_config(settings.log_level, access_log=settings.access_log),
        # No control socket: it would need a writable $HOME, and nothing here uses it.
        "control_socket_disable": True,
        # The worker heartbeat file; /dev/shm is memory-backed and writable even when the
        # container's root file system (and so /tmp) is read-only.
        "worker_tmp_dir": SHARED_MEMORY_DIR if os.access(SHARED_MEMORY_DIR, os.W_OK) else None,
        "proc_name": "ticket-dashboard",
    }
