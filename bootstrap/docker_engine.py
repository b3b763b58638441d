"""A Docker engine that answers: use one that runs, never touch it; else start one."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from .apt import apt_install
from .progress import BootstrapError, say, step

START_TIMEOUT_S = 60


def engine_action(answers: bool, dockerd_installed: bool, is_root: bool) -> str:
    """'use' an engine that answers; 'start' an installed one; 'install' then start.
    An engine that already answers is never restarted or reconfigured."""
    if answers:
        return "use"
    if not is_root:
        raise BootstrapError(
            "no Docker engine answers and starting one needs root",
            "sudo make bootstrap  (or start your engine: sudo systemctl start docker)",
        )
    return "start" if dockerd_installed else "install"


def docker_answers() -> bool:
    return shutil.which("docker") is not None and docker_ok(["info"], timeout=20)


def docker_ok(args: list[str], timeout: int = 60) -> bool:
    """Whether ``docker ARGS`` succeeds within ``timeout`` seconds (output discarded)."""
    try:
        result = subprocess.run(
            ["docker", *args], capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def ensure_engine(log_path: Path) -> None:
    action = engine_action(docker_answers(), shutil.which("dockerd") is not None, os.geteuid() == 0)
    if action == "use":
        say("Docker engine answers; leaving it as it is")
        return
    if action == "install":
        _install_engine()
    _start_engine(log_path)


def _install_engine() -> None:
    apt_install("docker.io")


def _start_engine(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with step(f"starting dockerd in the background (log: {log_path})"):
        with log_path.open("ab") as log:
            # A new session: the daemon outlives make and the shell that ran it.
            subprocess.Popen(
                ["dockerd"],
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if docker_answers():
                say("Docker engine is up")
                return
            time.sleep(1)
    raise BootstrapError(
        f"dockerd did not answer within {START_TIMEOUT_S}s",
        f"read {log_path}, fix what it says, then re-run: make bootstrap",
        detail=_tail(log_path),
    )


def _tail(path: Path) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-10:])
    except OSError:
        return ""
