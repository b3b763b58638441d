"""Debian packages the bootstrap needs (engine, debootstrap), from the machine's mirror."""

from __future__ import annotations

import os
import shutil
import subprocess

from .progress import BootstrapError, step


def apt_install(*packages: str) -> None:
    names = " ".join(packages)
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise BootstrapError(
            f"{names} is missing and can't be installed from here (needs root and apt-get)",
            f"sudo apt-get install -y {names}",
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with step(f"installing Debian's {names}"):
        for args in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
            result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise BootstrapError(
                    f"{' '.join(args[:2])} {names} failed",
                    f"apt-get install -y {names}",
                    detail=result.stderr,
                )
