"""The test and bench tools: Debian packages, and Go tools built at their pins.

A Go tool is current when the binary itself says it was built from the pinned
package and version (`go version -m`): nothing beside it can go stale. It is
installed into a temporary folder and renamed into place, so an interrupted build
never leaves a broken binary where make would run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .apt import apt_install
from .go_build import go_env, require_go
from .profiles import AptTool, missing_packages
from .progress import BootstrapError, say, step


def ensure_apt_tools(tools: tuple[AptTool, ...]) -> None:
    missing = missing_packages(tools, lambda command: shutil.which(command) is not None)
    if missing:
        apt_install(*missing)
    elif tools:
        say(f"{', '.join(tool.command for tool in tools)} present")


def built_from(version_info: str) -> str | None:
    """``package@version`` a Go binary was built from, read from ``go version -m``."""
    package = version = None
    for line in version_info.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "path":
            package = fields[1]
        elif len(fields) >= 3 and fields[0] == "mod":
            version = fields[2]
    return f"{package}@{version}" if package and version else None


def ensure_go_tools(
    names: tuple[str, ...], pins: dict[str, str], bin_dir: Path, rerun: str
) -> None:
    for name in names:
        if name not in pins:
            raise BootstrapError(
                f"pyproject.toml pins no Go tool {name}",
                f'add {name} = "package@version" to [tool.ticket-dashboard.go-tools]',
            )
        ensure_go_tool(name, pins[name], bin_dir, rerun)


def ensure_go_tool(name: str, pin: str, bin_dir: Path, rerun: str) -> None:
    binary = bin_dir / name
    if binary.exists() and built_from(_version_info(binary)) == pin:
        say(f"{name} ({pin}) already built")
        return
    bin_dir.mkdir(parents=True, exist_ok=True)
    env = go_env()
    env.pop("GOFLAGS")  # -mod=mod is for bootstrap/go's modules; this builds outside any
    scratch = tempfile.TemporaryDirectory(dir=bin_dir.parent, prefix=f".{name}-")
    with step(f"building {name} from {pin}"), scratch as tmp:
        result = subprocess.run(
            [require_go(), "install", pin],
            env={**env, "GOBIN": tmp},
            capture_output=True,
            text=True,
            check=False,
        )
        built = Path(tmp) / name
        if result.returncode != 0 or not built.exists():
            raise BootstrapError(
                f"go install {pin} failed" if result.returncode else f"{pin} built no {name}",
                f"read the Go error above, then re-run: {rerun}",
                detail=result.stderr,
            )
        os.replace(built, binary)


def _version_info(binary: Path) -> str:
    result = subprocess.run(
        [require_go(), "version", "-m", str(binary)],
        env=go_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout
