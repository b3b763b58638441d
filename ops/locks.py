"""A stack's update locks in the file backend: stale ones cleared, live ones explained.

`pulumi` writes ``.pulumi/locks/organization/<project>/<stack>/<uuid>.json`` (pid, user,
host, time) when an update starts and deletes it at the end. A SIGKILLed run, a dropped
SSH session or a cancelled CI job leaves it behind, and every later `up` refuses with
advice (`pulumi cancel`) that would break a run that is still alive. Here a lock whose
process is provably gone (same host, pid not a running pulumi) is deleted; any other
lock is refused with who holds it, since when, and the command that clears it.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

UNLOCK_HINT = "make unlock STACK={stack}"


@dataclass(frozen=True)
class StackLock:
    path: Path
    pid: int
    username: str
    hostname: str
    since: str

    def holder(self) -> str:
        return f"{self.username}@{self.hostname}, pid {self.pid}, since {self.since}"


class StackLocked(Exception):
    """A lock that may belong to a live run; the message says whose and what to do."""


def lock_dir(backend_url: str, project: str, stack: str) -> Path | None:
    """Where a file backend keeps the stack's locks; None for other backends (Pulumi
    Cloud and object stores manage their own)."""
    parsed = urlparse(backend_url)
    if parsed.scheme != "file":
        return None
    root = Path(unquote(parsed.path)).expanduser()
    return root / ".pulumi" / "locks" / "organization" / project / stack


def read_locks(directory: Path | None) -> list[StackLock]:
    if directory is None or not directory.is_dir():
        return []
    locks = []
    for path in sorted(directory.glob("*.json")):
        content = json.loads(path.read_text(encoding="utf-8"))
        locks.append(
            StackLock(
                path=path,
                pid=int(content.get("pid", 0)),
                username=str(content.get("username", "?")),
                hostname=str(content.get("hostname", "?")),
                since=str(content.get("timestamp", "?")),
            )
        )
    return locks


def pulumi_alive(pid: int) -> bool:
    """Whether ``pid`` is a running pulumi process (a reused pid is not the lock's run)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"pulumi" in cmdline


def is_stale(lock: StackLock, hostname: str, alive: Callable[[int], bool] = pulumi_alive) -> bool:
    return lock.hostname == hostname and not alive(lock.pid)


def refusal(lock: StackLock, stack: str, hostname: str) -> str:
    unlock = UNLOCK_HINT.format(stack=stack)
    if lock.hostname != hostname:
        return (
            f"stack {stack} is locked from another host ({lock.holder()}). This machine "
            f"cannot see whether that run is alive. If it has ended, clear it: {unlock}"
        )
    return (
        f"stack {stack} is being updated right now ({lock.holder()}): wait for that run to "
        f"end. Clearing a live lock lets two runs write one state; only if pid {lock.pid} "
        f"is not a pulumi of this stack, clear it: {unlock}"
    )


def clear_stale_locks(
    stack: str,
    project: str,
    env: Mapping[str, str],
    say: Callable[[str], None] = print,
    hostname: str | None = None,
    alive: Callable[[int], bool] = pulumi_alive,
) -> None:
    """Delete the locks of dead runs on this host; raise StackLocked for any other."""
    host = hostname or socket.gethostname()
    directory = lock_dir(env.get("PULUMI_BACKEND_URL", ""), project, stack)
    for lock in read_locks(directory):
        if not is_stale(lock, host, alive):
            raise StackLocked(refusal(lock, stack, host))
        lock.path.unlink(missing_ok=True)
        say(f"converge: cleared a stale lock of stack {stack} ({lock.holder()}: gone)")
