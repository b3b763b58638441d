"""Progress lines for long steps and the error type every step raises."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class BootstrapError(Exception):
    """A step could not finish. `fix` is the one command (or action) that helps."""

    def __init__(self, what: str, fix: str, detail: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix
        self.detail = detail

    def render(self) -> str:
        lines = [f"bootstrap: {self.what}"]
        if self.detail:
            lines += ["  " + line for line in self.detail.strip().splitlines()[-15:]]
        lines.append(f"  fix: {self.fix}")
        return "\n".join(lines)


def say(message: str) -> None:
    print(f"bootstrap: {message}", flush=True)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Print a line when a long step starts and its duration when it ends,
    so a user watching a 4-minute Go build knows it is not hung."""
    say(f"{name} ...")
    started = time.monotonic()
    try:
        yield
    except BaseException:
        print(f"bootstrap: {name} FAILED after {time.monotonic() - started:.1f}s", file=sys.stderr)
        raise
    say(f"{name} done in {time.monotonic() - started:.1f}s")
