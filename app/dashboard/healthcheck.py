"""Container health probe that needs no curl: `python -m dashboard.healthcheck`.

    python -m dashboard.healthcheck                      GET /health on $DASHBOARD_PORT
    python -m dashboard.healthcheck --path /ready        GET /ready instead (readiness)
    python -m dashboard.healthcheck --file PATH --max-age S
                                                         PATH was written within S seconds

The sidecars have no HTTP port; they prove liveness by refreshing a heartbeat file.
Exit 0 healthy, 1 unhealthy; one line on stdout says why (docker keeps it in
`docker inspect` as the last health-check output). Docker's health check asks liveness;
the release gate (infra's health_gate.py) runs this in the container with ``--path
/ready`` through the engine, since the replica's port is not published.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
from pathlib import Path

MAX_BODY_BYTES = 4096
"""Enough for the app's error body; a probe never reads a whole page."""


def check_http(port: int, timeout: float, path: str = "/health") -> str | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        status, body = response.status, response.read(MAX_BODY_BYTES)
    except OSError as error:
        return f"GET {path} on port {port} failed: {error}"
    finally:
        connection.close()
    if status == 200:
        return None
    return f"GET {path} on port {port} returned {status}{_reason(body)}"


def _reason(body: bytes) -> str:
    """The app's error bodies say why (`{"message": "not ready: index", ...}`)."""
    try:
        message = json.loads(body).get("message")
    except (ValueError, AttributeError):
        return ""
    return f": {message}" if isinstance(message, str) and message else ""


def check_file(path: Path, max_age: float) -> str | None:
    try:
        age = time.time() - path.stat().st_mtime
    except OSError as error:
        return f"heartbeat {path} unreadable: {error.strerror}"
    return None if age <= max_age else f"heartbeat {path} is {age:.0f}s old (max {max_age:.0f}s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.healthcheck",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--file", type=Path, help="heartbeat file to check instead of HTTP")
    parser.add_argument("--max-age", type=float, default=180.0, help="seconds (with --file)")
    parser.add_argument("--timeout", type=float, default=2.0, help="HTTP timeout in seconds")
    parser.add_argument("--path", default="/health", help="HTTP path to ask (e.g. /ready)")
    args = parser.parse_args(argv)
    if args.file is not None:
        problem = check_file(args.file, args.max_age)
    else:
        port = int(os.environ.get("DASHBOARD_PORT", "8000"))
        problem = check_http(port, args.timeout, args.path)
    print(problem or "healthy")
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main())
