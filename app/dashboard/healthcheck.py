"""Container health probe that needs no curl: `python -m dashboard.healthcheck`.

    python -m dashboard.healthcheck                      GET /health on $DASHBOARD_PORT
    python -m dashboard.healthcheck --file PATH --max-age S
                                                         PATH was written within S seconds

The sidecars have no HTTP port; they prove liveness by refreshing a heartbeat file.
Exit 0 healthy, 1 unhealthy; one line on stdout says why (docker keeps it in
`docker inspect` as the last health-check output).
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import time
from pathlib import Path


def check_http(port: int, timeout: float) -> str | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/health")
        status = connection.getresponse().status
    except OSError as error:
        return f"GET /health on port {port} failed: {error}"
    finally:
        connection.close()
    return None if status == 200 else f"GET /health on port {port} returned {status}"


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
    args = parser.parse_args(argv)
    if args.file is not None:
        problem = check_file(args.file, args.max_age)
    else:
        problem = check_http(int(os.environ.get("DASHBOARD_PORT", "8000")), args.timeout)
    print(problem or "healthy")
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main())
