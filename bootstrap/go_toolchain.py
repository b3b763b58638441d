"""Which go command bootstrap builds with, and what to do when there is none.

The go on PATH if it is new enough, else the official tarball's place,
``/usr/local/go/bin/go``, which a clean PATH (a stock Debian host, ``env -i``)
lacks. New enough means at least the highest ``go`` line in bootstrap/go/*/go.mod:
every build runs with GOTOOLCHAIN=local, so an older go would only fail later.
Debian bookworm's ``golang-go`` is 1.19, too old, so the fix never names it.
"""

from __future__ import annotations

import functools
import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import ROOT
from .progress import BootstrapError, say

USUAL_GO = Path("/usr/local/go/bin/go")  # where go.dev's install steps put the tarball
WRAPPERS = ROOT / "bootstrap" / "go"
_GOTOOLCHAIN_SINCE = (1, 21)  # the first go that can fetch another toolchain itself


@dataclass(frozen=True)
class FoundGo:
    path: str
    version: tuple[int, ...] | None  # None: it did not answer `go env GOVERSION`
    on_path: bool


@functools.cache
def require_go() -> str:
    """The go command to build with (asked once per bootstrap run)."""
    on_path = shutil.which("go")
    found = [FoundGo(on_path, _version_of(on_path), True)] if on_path else []
    if USUAL_GO.is_file() and (not on_path or Path(on_path).resolve() != USUAL_GO.resolve()):
        found.append(FoundGo(str(USUAL_GO), _version_of(str(USUAL_GO)), False))
    chosen, note = choose_go(found, needed_go_version(WRAPPERS))
    if note:
        say(note)
    return chosen


def choose_go(found: list[FoundGo], needed: tuple[int, ...]) -> tuple[str, str | None]:
    """The first of ``found`` that is at least ``needed``, with the progress line to
    print when it is not simply the go on PATH; raises when none is."""
    for candidate in found:
        if candidate.version is not None and candidate.version >= needed:
            skipped = [f"{_describe(other)} on PATH is too old" for other in found if other.on_path]
            if candidate.on_path:
                return candidate.path, None
            why = skipped[0] if skipped else "go is not on PATH"
            return candidate.path, f"{why}: using {_describe(candidate)}"
    raise no_suitable_go(found, needed)


def no_suitable_go(found: list[FoundGo], needed: tuple[int, ...]) -> BootstrapError:
    want = _dotted(needed)
    seen = "; ".join(_describe(f) for f in found) or f"none on PATH or at {USUAL_GO}"
    tarball = f"go{want}.linux-{_go_arch()}.tar.gz"
    fix = (
        f"install Go {want} or newer where bootstrap finds it (Debian bookworm's golang-go "
        f"is 1.19, too old): rm -rf /usr/local/go && curl -fsSL https://go.dev/dl/{tarball} "
        "| tar -C /usr/local -xz"
    )
    fetcher = next((f for f in found if f.version and f.version >= _GOTOOLCHAIN_SINCE), None)
    if fetcher:
        fix += (
            f"; or let {fetcher.path} fetch it from the Go module proxy: "
            f'export PATH="$(GOTOOLCHAIN=go{want} {fetcher.path} env GOROOT)/bin:$PATH"'
        )
    return BootstrapError(
        f"no Go >= {want} found (bootstrap/go/*/go.mod need it for the Pulumi CLI and "
        f"plugins): {seen}",
        f"{fix}; then re-run: make bootstrap",
    )


def needed_go_version(wrappers: Path) -> tuple[int, ...]:
    """The highest ``go`` directive of the wrapper modules' go.mod files."""
    versions = [
        _parse(match.group(1))
        for mod in sorted(wrappers.glob("*/go.mod"))
        for match in [re.search(r"^go\s+(\S+)", mod.read_text(encoding="utf-8"), re.M)]
        if match
    ]
    return max((v for v in versions if v), default=(1, 0))


def _version_of(go: str) -> tuple[int, ...] | None:
    try:
        result = subprocess.run(
            [go, "env", "GOVERSION"],
            env={**os.environ, "GOTOOLCHAIN": "local"},  # this go's own version, not a switch
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except OSError:
        return None
    return _parse(result.stdout.strip().removeprefix("go")) if result.returncode == 0 else None


def _parse(version: str) -> tuple[int, ...] | None:
    """``1.25.8`` -> (1, 25, 8); ``1.26rc1`` -> (1, 26, 0), a pre-release counted as its
    release (close enough for a minimum)."""
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    if match is None:
        return None
    return tuple(int(part or 0) for part in match.groups())


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def _describe(found: FoundGo) -> str:
    version = f"go{_dotted(found.version)}" if found.version else "does not run"
    return f"{found.path} ({version})"


def _go_arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armv6l"}.get(machine, machine)
