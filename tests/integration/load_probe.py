"""A bounded constant-rate probe from the host against the stack's published URL.

vegeta (open loop: a request goes out every 1/rate s whether or not the last one has
answered) at PROBE_RATE across PROBE_PATHS, for as long as a ``with`` block runs, and
never longer than MAX_SECONDS: the attack has that duration, and SIGINT at the end of the
block stops it earlier. A request fails when it gets no 2xx answer (a transport error,
a timeout or any other status).

The binary is bootstrap's, built at the pin in pyproject.toml; `make test`'s profile does
not build it, so ``vegeta_binary`` builds just it (Go is there: the deploy profile builds
the Pulumi CLI with it), as `python3 -m bootstrap --profile bench` would.
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bootstrap.dev_tools import ensure_go_tool
from bootstrap.settings import settings, tools_bin

PROBE_RATE = 50
"""Requests per second, alternating over PROBE_PATHS."""
PROBE_PATHS = ("/health", "/api/tickets?limit=50")
MAX_SECONDS = 600
"""The attack's own bound, should a test never leave its block."""
REQUEST_TIMEOUT = "5s"
STEADY_SECONDS = 1.0
"""Probed before and after the change, so the switch is inside the window."""


def vegeta_binary() -> Path:
    ensure_go_tool(
        "vegeta", settings().go_tools["vegeta"], tools_bin(), "python3 -m bootstrap --profile bench"
    )
    return tools_bin() / "vegeta"


@dataclass
class ProbeReport:
    requests: int = 0
    failed: int = 0
    status_codes: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0

    @classmethod
    def from_vegeta(cls, document: dict[str, Any]) -> ProbeReport:
        codes = {str(code): int(count) for code, count in document.get("status_codes", {}).items()}
        succeeded = sum(count for code, count in codes.items() if code.startswith("2"))
        latencies = document.get("latencies", {})
        return cls(
            requests=int(document.get("requests", 0)),
            failed=int(document.get("requests", 0)) - succeeded,
            status_codes=codes,
            errors=list(document.get("errors") or []),
            seconds=document.get("duration", 0) / 1e9,
            p50_ms=latencies.get("50th", 0) / 1e6,
            p99_ms=latencies.get("99th", 0) / 1e6,
            max_ms=latencies.get("max", 0) / 1e6,
        )

    def __str__(self) -> str:
        return (
            f"{self.failed}/{self.requests} failed over {self.seconds:.1f}s "
            f"(p50 {self.p50_ms:.0f} ms, p99 {self.p99_ms:.0f} ms, max {self.max_ms:.0f} ms; "
            f"codes {self.status_codes}{'; errors ' + str(self.errors[:5]) if self.errors else ''})"
        )


class ConstantRateProbe:
    """``with ConstantRateProbe(...) as report:`` probes for the block; ``report`` fills on exit."""

    def __init__(
        self,
        binary: Path,
        base_url: str,
        token: str | None,
        rate: int = PROBE_RATE,
        paths: tuple[str, ...] = PROBE_PATHS,
    ) -> None:
        self.binary, self.base_url, self.token = binary, base_url, token
        self.rate, self.paths = rate, paths
        self.report = ProbeReport()

    def __enter__(self) -> ProbeReport:
        self._workdir = tempfile.TemporaryDirectory(prefix="probe-")
        folder = Path(self._workdir.name)
        targets = folder / "targets.txt"
        targets.write_text(self._targets())
        self._results = folder / "results.bin"
        self._process = subprocess.Popen(
            [
                str(self.binary),
                "attack",
                f"-rate={self.rate}/s",
                f"-duration={MAX_SECONDS}s",
                f"-timeout={REQUEST_TIMEOUT}",
                "-max-body=0",
                f"-targets={targets}",
                f"-output={self._results}",
            ],
            stderr=subprocess.PIPE,
        )
        time.sleep(STEADY_SECONDS)
        return self.report

    def __exit__(self, *_exc: object) -> None:
        try:
            time.sleep(STEADY_SECONDS)
            self._process.send_signal(signal.SIGINT)  # vegeta writes its last results, exits
            _, stderr = self._process.communicate(timeout=30)
            summary = subprocess.run(
                [str(self.binary), "report", "-type=json", str(self._results)],
                capture_output=True,
                check=False,
            )
            if summary.returncode != 0:
                raise RuntimeError(f"vegeta report failed: {summary.stderr.decode()} {stderr!r}")
            fresh = ProbeReport.from_vegeta(json.loads(summary.stdout))
            vars(self.report).update(vars(fresh))
        finally:
            if self._process.poll() is None:
                self._process.kill()
            self._workdir.cleanup()

    def _targets(self) -> str:
        header = f"Authorization: Bearer {self.token}\n" if self.token else ""
        return "\n".join(f"GET {self.base_url}{path}\n{header}" for path in self.paths)
