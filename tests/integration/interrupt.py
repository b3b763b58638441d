"""What the convergence tests share: the CLI as `make up` runs it, a release to interrupt,
and a trigger on the engine's own events.

`make up` is `ops.converge` then `pulumi up`; here both run against the session's
throwaway stack (its project copy, its file backend), as separate processes, so a test
can SIGKILL a real `pulumi up` and everything under it (providers, language host) as a
dropped SSH session or a cancelled CI job does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker

from tests.deployment import ROOT, Deployment
from ticket_dashboard.naming import LABEL_PROJECT, LABEL_STACK
from ticket_dashboard.project import PROJECT_NAME

VENV_PYTHON = str(ROOT / ".venv" / "bin" / "python")


def cli_env(deployed: Deployment) -> dict[str, str]:
    env = {**os.environ, **deployed.stack.workspace.env_vars}
    env["PYTHONPATH"] = f"{ROOT}:{ROOT / 'infra'}"
    return env


def run_cli(
    deployed: Deployment, args: list[str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """A command in the stack's project folder and pulumi env, as `make` runs it."""
    return subprocess.run(
        args,
        cwd=deployed.project_dir,
        env=cli_env(deployed),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def converge(deployed: Deployment) -> subprocess.CompletedProcess[str]:
    """`python -m ops.converge STACK`, the first step of `make up`."""
    return run_cli(deployed, [VENV_PYTHON, "-m", "ops.converge", deployed.name], timeout=300)


def status(deployed: Deployment) -> subprocess.CompletedProcess[str]:
    """`make status`'s report (ops.status) of the stack."""
    return run_cli(deployed, [VENV_PYTHON, "-m", "ops.status", deployed.name], timeout=120)


def start_up(deployed: Deployment, log: Path) -> subprocess.Popen[bytes]:
    """A real `pulumi up` in its own process group, its output in ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                "pulumi",
                "up",
                "--yes",
                "--skip-preview",
                "--color",
                "never",
                "--stack",
                deployed.name,
            ],
            cwd=deployed.project_dir,
            env=cli_env(deployed),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run and everything it started, as a dropped session does."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def change_app(deployed: Deployment, why: str) -> None:
    """An app change: the next `up` is a release (new image, new replicas)."""
    marker = deployed.project_dir / "app" / "dashboard" / "__init__.py"
    marker.write_text(marker.read_text() + f"\n# {why}\n")


class EngineTrigger:
    """Sets ``fired`` on the first container event of the stack that ``matches``.

    The engine's event stream says exactly where a release is (a container created, a
    replica healthy, an old replica sent its stop signal), where a timer would only guess.
    """

    def __init__(self, stack: str, matches: Callable[[dict[str, Any]], bool]) -> None:
        self.matches = matches
        self.fired = threading.Event()
        self.event: dict[str, Any] | None = None
        self._client = docker.from_env()
        filters = {
            "type": "container",
            "label": [f"{LABEL_PROJECT}={PROJECT_NAME}", f"{LABEL_STACK}={stack}"],
        }
        self._events = self._client.events(decode=True, filters=filters)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        try:
            for event in self._events:
                if self.matches(event):
                    self.event = event
                    self.fired.set()
                    return
        except Exception:  # noqa: BLE001 - the stream is closed at the end
            return

    def close(self) -> None:
        self._events.close()
        self._client.close()


def container_name(event: dict[str, Any]) -> str:
    return event.get("Actor", {}).get("Attributes", {}).get("name", "")
