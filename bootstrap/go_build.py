"""Build one binary from a wrapper module under bootstrap/go/ with the machine's Go
(go_toolchain.py says which go that is).

The binary is built to a temporary path and renamed into place, so an interrupted
or failed build never leaves a broken executable where the CLI would find it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .go_toolchain import require_go
from .progress import BootstrapError, step


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    # GOTOOLCHAIN=local: never download another Go toolchain (not a registry here).
    env.update({"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"})
    # The chosen go first on PATH, so a generator or tool that runs `go` gets the same one
    # (it may be /usr/local/go/bin/go, which a clean PATH lacks).
    env["PATH"] = os.pathsep.join([str(Path(require_go()).parent), env.get("PATH", "")])
    return env


def run_go(args: list[str], cwd: Path, what: str) -> str:
    result = subprocess.run(
        [require_go(), *args], cwd=cwd, env=go_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        # `go mod download -json` reports its error in the JSON on stdout.
        output = result.stderr + result.stdout
        raise BootstrapError(
            f"{what} failed (go {' '.join(args[:2])} in {cwd})", _fix_for(output), detail=output
        )
    return result.stdout


def _fix_for(stderr: str) -> str:
    if "This module version is not available" in stderr or "403 Forbidden" in stderr:
        return (
            "this machine's Go module proxy does not serve that module; install the pinned "
            "pulumi and its plugin on a normal machine and point PATH at it "
            "(see README, 'Using an existing Pulumi install')"
        )
    if "no space left on device" in stderr:
        return "free disk space (df -h; go clean -cache), then re-run: make bootstrap"
    return "read the Go error above, then re-run: make bootstrap"


def build_tool(
    module_dir: Path, package: str, output: Path, ldflags: str, source: str = "Go modules"
) -> None:
    """`go build` the tool `package` required by `module_dir` into `output`, atomically."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    with step(f"building {output.name} from {source} (cold: minutes)"):
        try:
            args = ["build", "-trimpath", "-ldflags", ldflags, "-o", str(partial), package]
            run_go(args, module_dir, f"building {output.name}")
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
