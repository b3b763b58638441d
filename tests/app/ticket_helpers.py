"""Building blocks for the dashboard tests: ticket text, a ticket tree, a live server.

Imported as ``from tests.app.ticket_helpers import ...`` (the repository root is on
sys.path through pyproject.toml); fixtures built on them are in tests/app/conftest.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

REPO_ROOT = Path(__file__).resolve().parents[2]


def ticket_text(
    ticket_id: str,
    status: str = "open",
    *,
    title: str | None = None,
    priority: str = "medium",
    extra: str = "",
    body: str = "Body text.\n",
    newline: str = "\n",
) -> str:
    """A valid ticket; `extra` lines go into the front matter as written."""
    lines = [
        "---",
        f"id: {ticket_id}",
        f"title: {title or 'Ticket ' + ticket_id}",
        f"status: {status}",
        f"priority: {priority}",
        *extra.splitlines(),
        "---",
    ]
    return newline.join(lines) + newline + body.replace("\n", newline)


class TicketTree:
    """A tickets root in a temp folder: <root>/planning/tickets/..."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tickets = root / "planning" / "tickets"
        self.tickets.mkdir(parents=True, exist_ok=True)

    @property
    def registry(self) -> Path:
        return self.root / "planning" / "TICKET_REGISTRY.md"

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.tickets / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    def add(self, relative: str, ticket_id: str, status: str = "open", **fields: str) -> Path:
        return self.write(relative, ticket_text(ticket_id, status, **fields))

    def read(self, relative: str) -> bytes:
        return (self.tickets / relative).read_bytes()

    def name(self, relative: str) -> str:
        """The index key (path relative to the root) of a file below planning/tickets/."""
        return f"planning/tickets/{relative}"


def wait_until(condition: Callable[[], object], timeout: float = 3.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_in_thread(app: Flask) -> Iterator[str]:
    """A real threaded HTTP server for `app` on a random loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def dashboard_env(tree: TicketTree, tmp: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT / "app"),
        DASHBOARD_TICKETS_DIR=str(tree.root),
        DASHBOARD_DATA_DIR=str(tmp / "data"),
        DASHBOARD_BACKUP_DIR=str(tmp / "backups"),
        DASHBOARD_HOST="127.0.0.1",
        DASHBOARD_PORT=str(port),
        **extra,
    )
    return env


def start_dashboard_process(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def http_status(url: str, timeout: float = 1.0) -> int | None:
    """The status of GET `url`; None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return None


# Takes the flock the dashboard takes (dashboard.tickets.tree_locks), says so, and holds it
# until its stdin closes.
_HOLD_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o660)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


@contextmanager
def lock_held_by_another_process(path: Path) -> Iterator[None]:
    """`path`'s lock file held by another process (as by another replica) while inside."""
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline() == b"locked\n"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


@contextmanager
def running_dashboard(tree: TicketTree, tmp: Path, **extra: str) -> Iterator[int]:
    """`python -m dashboard` (gunicorn) on a free loopback port, ready; yields the port."""
    port = free_port()
    (tmp / "data").mkdir(exist_ok=True)
    process = start_dashboard_process(dashboard_env(tree, tmp, port, **extra))
    try:
        ready = wait_until(lambda: http_status(f"http://127.0.0.1:{port}/ready") == 200, 20)
        assert ready, "the dashboard did not become ready"
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
