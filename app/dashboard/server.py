"""Run the app under gunicorn: one worker process, many threads.

One process, because the ticket index, the watcher and the live-update feed live in
memory and must exist once. Threads (gthread), because each open live-update stream
holds a thread. On SIGTERM the worker closes the feed first, so open streams end and
the graceful shutdown does not wait for them; the watcher stops in the worker-exit hook.

SIGTERM reaches the arbiter (PID 1 in the container: `python -m dashboard` runs it in
its own process). With DASHBOARD_DRAIN_SECONDS set, it drains first: /ready fails at
once, so the proxy stops routing here, and everything else is served as usual until the
drain ends; only then does gunicorn's own stop begin (see DrainingArbiter).

Flask and the app are imported in the worker, after the port is bound, and built in a
thread while a stand-in answers /health (see dashboard.runtime.warmup).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import MutableMapping
from types import FrameType
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger
from gunicorn.workers.base import Worker
from gunicorn.workers.gthread import ThreadWorker

from dashboard.logging import logging_config
from dashboard.runtime.draining import DrainFlag
from dashboard.runtime.shedding import ShedsOverload
from dashboard.runtime.warmup import WarmingUp
from dashboard.settings import Settings

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)
GRACEFUL_TIMEOUT_SECONDS = 5
# After the graceful timeout the arbiter kills the worker, reaps it and exits: well under 1 s.
EXIT_MARGIN_SECONDS = 1
SHARED_MEMORY_DIR = "/dev/shm"  # noqa: S108 - gunicorn's documented choice for containers
HEARTBEAT_INTERVAL_SECONDS = 1.0  # well inside gunicorn's worker timeout (30 s)
# Connections held open at most, and the kernel's queue of new ones; both bounded. Under
# overload clients open more connections: at gunicorn's default cap (1,000) the worker
# stopped accepting, and new ones waited until a kept-alive one timed out (5 s).
MAX_CONNECTIONS = 4096
LISTEN_BACKLOG = 2048


class DashboardLogger(Logger):
    """gunicorn's logger, minus building every request's access-log fields only to drop them.

    With a logging dictConfig, gunicorn formats the access line of each request whatever
    the level of its logger; that was about a tenth of the worker's CPU per request.
    """

    def access(
        self, resp: Any, req: Any, environ: MutableMapping[str, Any], request_time: Any
    ) -> None:
        if self.access_log.isEnabledFor(logging.INFO):
            super().access(resp, req, environ, request_time)


class DashboardWorker(ShedsOverload, ThreadWorker):
    """gthread worker that refuses overload from its main loop (see dashboard.runtime.shedding) and
    ends the live-update streams as soon as SIGTERM arrives."""

    _next_heartbeat = 0.0

    def notify(self) -> None:
        # gthread beats on every turn of its loop, so once per request under load, and each
        # beat is a utime() on the heartbeat file; the arbiter needs one per `timeout`.
        now = time.monotonic()
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + HEARTBEAT_INTERVAL_SECONDS
            super().notify()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        app = built_app(self)
        if app is not None:
            from dashboard.services import services_of  # imported already: the app is built

            # In a thread: a signal handler must not wait on locks the interrupted code holds.
            threading.Thread(target=services_of(app).feed.close, daemon=True).start()


def built_app(worker: Worker) -> Flask | None:
    """The worker's Flask app; None before it is built (nothing started yet to stop)."""
    wsgi = getattr(worker, "wsgi", None)
    # WarmingUp holds any WSGI app; the one DashboardServer gives it is a Flask app.
    return wsgi.app if isinstance(wsgi, WarmingUp) else None  # type: ignore[return-value]


def _worker_exit(_arbiter: Arbiter, worker: Worker) -> None:
    app = built_app(worker)
    if app is not None:
        from dashboard.app import stop_services

        stop_services(app)
        log.info("services stopped")


def stop_bound_seconds(settings: Settings) -> float:
    """The longest a stop takes, from SIGTERM to exit: what the container's stop timeout must
    allow (more than this, and Docker kills the server mid-request)."""
    return settings.drain_seconds + GRACEFUL_TIMEOUT_SECONDS + EXIT_MARGIN_SECONDS


class DrainingArbiter(Arbiter):
    """gunicorn's arbiter, but a first SIGTERM sets the drain flag and stops only once the
    drain has run out.

    gunicorn's own SIGTERM handling closes the listening sockets and stops the worker at
    once; a proxy that has not yet seen /ready fail would send requests to a closed port.
    Here the arbiter's loop goes on (managing the worker as usual) until the drain's end,
    then stops the way gunicorn does on SIGTERM. A second SIGTERM stops at once.
    """

    def __init__(self, server: DashboardServer) -> None:
        super().__init__(server)
        self._drain_seconds = server.settings.drain_seconds
        self._draining = server.draining
        self._drain_ends: float | None = None

    def handle_term(self) -> None:
        self._draining.set()
        if self._drain_ends is not None or self._drain_seconds <= 0:
            raise StopIteration  # what gunicorn's handle_term raises: the loop halts
        self._drain_ends = time.monotonic() + self._drain_seconds
        assert self.log is not None  # set by Arbiter.__init__ (setup)
        self.log.info("Draining for %s s before stopping", self._drain_seconds)

    def wait_for_signals(self, timeout: float | None = 1.0) -> list[int]:
        if self._drain_ends is None:
            return super().wait_for_signals(timeout)
        remaining = self._drain_ends - time.monotonic()
        if remaining <= 0:
            raise StopIteration  # raised in the loop, like handle_term's
        return super().wait_for_signals(remaining if timeout is None else min(timeout, remaining))


def _stop_booting_worker() -> None:
    # The exit code with which gunicorn's arbiter gives up instead of respawning the worker,
    # as when load() itself raises.
    os._exit(Arbiter.WORKER_BOOT_ERROR)


class DashboardServer(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Made here, in the arbiter, so that the worker forked later shares it.
        self.draining = DrainFlag()
        super().__init__()

    def run(self) -> None:
        """BaseApplication.run, with the DrainingArbiter."""
        try:
            DrainingArbiter(self).run()
        except RuntimeError as error:
            print(f"\nError: {error}\n", file=sys.stderr)
            sys.exit(1)

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.settings).items():
            self.cfg.set(key, value)

    # gunicorn's stubs type the environ as a MutableMapping, PEP 3333 and Flask as a dict.
    def load(self) -> WarmingUp:  # type: ignore[override]
        """Runs in the worker process, so the watcher's threads are the worker's."""
        return WarmingUp(self._build_app, _stop_booting_worker).start()

    def _build_app(self) -> Flask:
        from dashboard.app import create_app, start_services

        return start_services(create_app(self.settings, draining=self.draining))


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "bind": [f"{settings.host}:{settings.port}"],
        "workers": 1,
        "worker_class": f"{__name__}.DashboardWorker",
        "logger_class": f"{__name__}.DashboardLogger",
        "threads": settings.threads,
        "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
        "timeout": 30,
        "keepalive": 5,
        "worker_connections": MAX_CONNECTIONS,
        "backlog": LISTEN_BACKLOG,
        "worker_exit": _worker_exit,
        "logconfig_dict": logging_config(settings.log_level, access_log=settings.access_log),
        # No control socket: it would need a writable $HOME, and nothing here uses it.
        "control_socket_disable": True,
        # The worker heartbeat file; /dev/shm is memory-backed and writable even when the
        # container's root file system (and so /tmp) is read-only.
        "worker_tmp_dir": SHARED_MEMORY_DIR if os.access(SHARED_MEMORY_DIR, os.W_OK) else None,
        "proc_name": "ticket-dashboard",
    }
