"""Release benchmarks: zero-downtime releases, rollbacks and failed releases, measured.

    PYTHONPATH=.:infra:app .venv/bin/python bench/bench_release.py

One throwaway stack with 2 replicas behind the proxy, probed from the host by vegeta at
a constant 100 req/s across /health and /api/tickets?limit=50 while:
  (a) an app-code change is released,
  (b) the previous release is rolled back to (the same pin `make rollback` sets),
  (c) a release whose health check never passes is tried (and then fixed).
For each: requests, failed, p50/p99/max latency and the duration of `up`. Then the
steady state of 2 replicas against 1 (same per-container limits): latency at 100 req/s
and wrk's closed-loop throughput on /api/tickets?limit=50. Figures go in the README;
nothing is asserted.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from pathlib import Path

from bench.bench_deploy import probe
from tests.deployment import create_throwaway, teardown
from ticket_dashboard.releases import engine_client, previous_release, stack_releases

RATE = 100
MARKER = Path("app") / "dashboard" / "__init__.py"
HEALTHCHECK = Path("app") / "dashboard" / "healthcheck.py"


def targets(url: str) -> str:
    return f"GET {url}/health\n\nGET {url}/api/tickets?limit=50\n"


def probed(stack, action, label: str) -> dict[str, object]:
    print(f"{label} under {RATE} req/s ...", flush=True)
    outcome = "ok"
    with probe(targets(stack.outputs["url"]), RATE) as report:
        started = time.monotonic()
        try:
            action()
        except Exception as error:  # noqa: BLE001 - a failed release is the point of (c)
            reason = [line for line in str(error).splitlines() if "healthy" in line]
            outcome = f"up failed: {(reason or ['(no reason given)'])[0].strip()[:160]}"
        seconds = time.monotonic() - started
    result = {"seconds": round(seconds, 1), "outcome": outcome, **report}
    print(f"  {label}: {json.dumps(result)}", flush=True)
    return result


def release(stack) -> None:
    marker = stack.project_dir / MARKER
    marker.write_text(marker.read_text() + "\n# bench release\n")
    stack.up()


def rollback(stack) -> None:
    client = engine_client()
    try:
        releases = stack_releases(client, f"ticket-dashboard-{stack.name}".lower())
    finally:
        client.close()
    target = previous_release(releases, stack.release)
    assert target is not None, "no earlier release to roll back to"
    stack.set_config("release", target.id)
    stack.up()


def failed_release(stack) -> None:
    check = stack.project_dir / HEALTHCHECK
    good = check.read_text()
    entry = "def main(argv: list[str] | None = None) -> int:\n"
    assert entry in good, "dashboard/healthcheck.py changed: update the bench's breakage"
    check.write_text(good.replace(entry, entry + "    return 1  # bench: broken on purpose\n"))
    stack.stack.remove_config("ticket-dashboard:release")
    stack.set_config("healthWaitTimeoutSeconds", "30")
    try:
        stack.up()
    finally:
        check.write_text(good)


def steady(stack, replicas: int) -> dict[str, object]:
    url = stack.outputs["url"]
    with probe(targets(url), RATE) as report:
        subprocess.run(["sleep", "20"], check=True)
    wrk = subprocess.run(
        ["wrk", "-t2", "-c16", "-d15s", f"{url}/api/tickets?limit=50"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    throughput = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
    result = {"replicas": replicas, "at_100_rps": dict(report), "wrk_requests_per_s": throughput}
    print(f"  steady: {json.dumps(result)}", flush=True)
    return result


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-release-") as temp:
        stack = create_throwaway(Path(temp), {"replicas": "2"}, prefix="bench")
        stack.log = lambda _line: None
        try:
            print("deploying a 2-replica throwaway stack ...", flush=True)
            stack.up()
            figures = {
                "steady_2": steady(stack, 2),
                "a_release": probed(stack, lambda: release(stack), "(a) app-change release"),
                "b_rollback": probed(stack, lambda: rollback(stack), "(b) rollback"),
                "c_failed_release": probed(stack, lambda: failed_release(stack), "(c) failed"),
            }
            print("fixing the failed release, then 1 replica ...", flush=True)
            stack.set_config("healthWaitTimeoutSeconds", "120")
            stack.up()
            stack.set_config("replicas", "1")
            stack.up()
            figures["steady_1"] = steady(stack, 1)
        finally:
            teardown(stack)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
