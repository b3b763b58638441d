"""Helpers shared by the backup and monitor job tests (tests/app/backup, tests/app/monitor).

Plain functions and context managers rather than pytest fixtures, so each test module
declares the fixtures it uses in a few visible lines. Imported as
``from tests.app.job_helpers import ...``, like tests.app.ticket_helpers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dashboard.backup.settings import BackupSettings
from tests.app.ticket_helpers import REPO_ROOT

# Bytes the restore must reproduce exactly: CRLF line endings, no trailing newline,
# non-ASCII text, and every byte value.
CRLF_TICKET = (
    b"---\r\nid: OPS-7\r\ntitle: Caf\xc3\xa9 printer\r\nstatus: open\r\n---\r\nBody\r\nlast"
)
BINARY_BLOB = bytes(range(256)) * 64


def make_ticket_tree(root: Path) -> Path:
    """A small ticket tree in the documented layout, with awkward files on purpose."""
    tickets = root / "planning" / "tickets"
    (tickets / "completed").mkdir(parents=True)
    (tickets / "deploy" / "nested").mkdir(parents=True)
    (root / "planning" / "TICKET_REGISTRY.md").write_text("# Registry\n", encoding="utf-8")
    (tickets / "OPS-7.md").write_bytes(CRLF_TICKET)
    (tickets / "deploy" / "nested" / "DEP-1.md").write_text(
        "---\nid: DEP-1\ntitle: x\nstatus: done\n---\n", encoding="utf-8"
    )
    (tickets / "deploy" / "ünïcode name.md").write_text("---\nid: U-1\n---\n", encoding="utf-8")
    (tickets / "empty.md").write_bytes(b"")
    (tickets / "latest.md").symlink_to("OPS-7.md")
    return root


def make_data_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "audit.log").write_text('{"event": "status_changed"}\n', encoding="utf-8")
    (root / "blob.bin").write_bytes(BINARY_BLOB)
    (root / "empty-folder").mkdir()
    return root


def backup_settings(tmp_path: Path, **overrides: Any) -> BackupSettings:
    """Settings over a fresh ticket tree and data folder, backing up into an empty folder."""
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    return BackupSettings(
        tickets_dir=make_ticket_tree(tmp_path / "tickets"),
        data_dir=make_data_dir(tmp_path / "data"),
        backup_dir=backup_dir,
        **overrides,
    )


def backup_environment(settings: BackupSettings, **variables: str | Path) -> dict[str, str]:
    """``job_environment`` naming the folders of ``settings``, plus ``variables``."""
    return job_environment(
        DASHBOARD_TICKETS_DIR=settings.tickets_dir,
        DASHBOARD_DATA_DIR=settings.data_dir,
        DASHBOARD_BACKUP_DIR=settings.backup_dir,
        **variables,
    )


def snapshot(root: Path) -> dict[str, object]:
    """Every entry below ``root``: file bytes, link targets, or "dir"."""
    entries: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            entries[relative] = ("symlink", os.readlink(path))
        elif path.is_dir():
            entries[relative] = "dir"
        else:
            entries[relative] = path.read_bytes()
    return entries


def job_environment(**variables: str | Path) -> dict[str, str]:
    """The current environment without any DASHBOARD_* leftovers, plus ``variables``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DASHBOARD_")}
    # pytest puts app/ on sys.path through its config; a child process needs it spelled out.
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(REPO_ROOT / "app"), os.environ.get("PYTHONPATH")) if part
    )
    env.update({key: str(value) for key, value in variables.items()})
    return env


def run_module(module: str, *args: str, env: dict[str, str], timeout: float = 30) -> Any:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def running_module(module: str, *args: str, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """``python -m module`` as a background process (text pipes), killed on the way out."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        process.kill()


def stop_with_sigterm(process: subprocess.Popen[str], within: float = 3.0) -> tuple[str, str]:
    """SIGTERM ``process``, check it exits within ``within`` seconds, return its output."""
    process.send_signal(signal.SIGTERM)
    stopped_at = time.monotonic()
    stdout, stderr = process.communicate(timeout=5)
    assert time.monotonic() - stopped_at < within
    return stdout, stderr


def json_lines(text: str) -> list[dict[str, Any]]:
    """Parse stdout of a job; fails the test if any line is not a JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def log_messages(text: str) -> list[str]:
    """The "message" of every JSON log line in a job's stdout."""
    return [line["message"] for line in json_lines(text)]


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: bytes
    at: float


# A route answers (status, JSON document).
Route = Callable[[RecordedRequest], tuple[int, Any]]


@dataclass
class LocalHttpServer:
    base_url: str
    routes: dict[str, Route]
    requests: list[RecordedRequest] = field(default_factory=list)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in list(self.requests) if request.path == path]


@contextmanager
def local_http_server(routes: dict[str, Route]) -> Iterator[LocalHttpServer]:
    """A real HTTP server on 127.0.0.1 and a free port; ``routes`` may be changed live."""
    server_state = LocalHttpServer(base_url="", routes=routes)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = RecordedRequest(self.command, self.path, self.rfile.read(length), time.time())
            server_state.requests.append(request)
            route = server_state.routes.get(self.path)
            status, document = route(request) if route else (404, {"error": "no route"})
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server_state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
