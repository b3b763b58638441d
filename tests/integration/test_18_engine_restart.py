"""The engine restarts (standing in for a host reboot): `make bootstrap` brings it back,
the stack answers on its URL again, and the state still matches (preview is clean).

dockerd is stopped with SIGTERM, as systemd stops it at shutdown; the containers' restart
policy brings them back when it starts. Last of the suite: every container restarts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.deployment import ROOT

pytestmark = pytest.mark.docker

PID_FILE = Path("/var/run/docker.pid")


def _stop_engine() -> None:
    pid = int(PID_FILE.read_text().strip())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise TimeoutError(f"dockerd (pid {pid}) did not stop in 90 s")


def _answers(url: str) -> bool:
    with contextlib.suppress(requests.RequestException):
        return all(
            requests.get(url + p, timeout=1).status_code == 200 for p in ("/health", "/ready")
        )
    return False


def test_the_stack_is_back_after_the_engine_restarts(deployed, progress):
    url = deployed.outputs["url"]
    assert _answers(url)
    if not PID_FILE.is_file():
        pytest.fail(f"{PID_FILE} is missing: this engine was not started by bootstrap")
    _stop_engine()
    assert not _answers(url)
    started = time.monotonic()
    # `make bootstrap`, warm: only the engine step has anything to do.
    subprocess.run(["python3", "-m", "bootstrap", "--profile", "deploy"], cwd=ROOT, check=True)
    engine_up = time.monotonic() - started
    while not _answers(url):
        assert time.monotonic() - started < 120, f"{url} did not answer within 120 s"
        time.sleep(0.2)
    back = time.monotonic() - started
    progress(f"test_18: engine back in {engine_up:.1f}s, {url} answering in {back:.1f}s")
    deployed.preview(expect_no_changes=True)
