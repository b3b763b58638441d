"""What a stack's Pulumi state records, read once with `pulumi stack export`.

Convergence and `make status` compare this with what the engine runs: an object that
carries the stack's labels but that the state does not know is an orphan.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONTAINER = "docker:index/container:Container"
NETWORK = "docker:index/network:Network"
VOLUME = "docker:index/volume:Volume"


@dataclass(frozen=True)
class PendingOperation:
    """An operation an interrupted `pulumi` began and never recorded the end of."""

    urn: str
    kind: str  # creating, updating, deleting, reading, importing

    def __str__(self) -> str:
        return f"{self.urn.rsplit('::', 1)[-1]} (interrupted while {self.kind})"


@dataclass(frozen=True)
class StackState:
    resources: list[dict[str, Any]] = field(default_factory=list)
    pending: list[PendingOperation] = field(default_factory=list)

    def ids_of(self, type_: str) -> set[str]:
        """The provider IDs (container IDs, network IDs, volume names) of ``type_``."""
        return {r["id"] for r in self.resources if r.get("type") == type_ and r.get("id")}

    @classmethod
    def from_export(cls, document: Mapping[str, Any]) -> StackState:
        deployment = document.get("deployment") or {}
        pending = [
            PendingOperation(op["resource"]["urn"], op.get("type", "?"))
            for op in deployment.get("pending_operations") or []
        ]
        return cls(list(deployment.get("resources") or []), pending)


class StackStateUnreadable(Exception):
    """`pulumi stack export` failed; the message carries its stderr."""


def export_state(stack: str, env: Mapping[str, str] | None = None) -> StackState:
    """The stack's checkpoint as the backend holds it now (no lock is taken)."""
    result = subprocess.run(
        ["pulumi", "stack", "export", "--stack", stack],
        capture_output=True,
        text=True,
        check=False,
        env=None if env is None else dict(env),
    )
    if result.returncode != 0:
        raise StackStateUnreadable(
            f"`pulumi stack export --stack {stack}` failed: {result.stderr.strip()}"
        )
    return StackState.from_export(json.loads(result.stdout))
