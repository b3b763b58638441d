"""The image's probe CLI: liveness by default, readiness with --path (the release gate's)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dashboard import healthcheck
from ticket_dashboard.dynamic.health_gate import PROBE_USAGE_ERROR, READY_PROBE

NOT_READY = {"message": "not ready: index", "status": 503}


class _Replica(BaseHTTPRequestHandler):
    """A replica still indexing: live, not ready."""

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's handler name
        status, body = (200, {"status": "ok"}) if self.path == "/health" else (503, NOT_READY)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def port(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Replica)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("DASHBOARD_PORT", str(server.server_port))
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


def test_the_probe_asks_liveness_by_default(port: int, capsys) -> None:
    assert healthcheck.main([]) == 0
    assert capsys.readouterr().out.strip() == "healthy"


def test_the_gates_probe_asks_readiness_and_says_why_not(port: int, capsys) -> None:
    args = list(READY_PROBE[READY_PROBE.index("dashboard.healthcheck") + 1 :])
    assert healthcheck.main(args) == 1
    assert capsys.readouterr().out.strip() == (
        f"GET /ready on port {port} returned 503: not ready: index"
    )


def test_an_unknown_option_exits_with_the_code_the_gate_reads_as_an_older_probe() -> None:
    with pytest.raises(SystemExit) as exited:
        healthcheck.main(["--no-such-option"])
    assert exited.value.code == PROBE_USAGE_ERROR
