"""Wheels for the image build, downloaded on the host into the build context.

TLS inside containers is intercepted here, so the image installs with
`--no-index --find-links` from this folder: reproducible, and offline-friendly.
Wheels are for the base image's Python and platform, not the host's.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from .progress import BootstrapError, say, step

PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


def image_python_version(image: str) -> str:
    """X.Y of the python3 inside `image`, asked of the image itself."""
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    result = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", image, "python3", "-c", probe],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BootstrapError(
            f"could not run python3 in {image}", "re-run: make bootstrap", detail=result.stderr
        )
    return result.stdout.strip()


def download_args(requirements: list[Path], dest: Path, python_version: str) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "--python-version",
        python_version,
        "--implementation",
        "cp",
        "-d",
        str(dest),
    ]
    for path in requirements:
        args += ["-r", str(path)]
    for platform in PLATFORMS:
        args += ["--platform", platform]
    return args


def ensure_wheelhouse(requirements: list[Path], dest: Path, python_version: str) -> None:
    stamp = dest / ".stamp"
    wanted = _fingerprint(requirements, python_version)
    if stamp.exists() and stamp.read_text() == wanted:
        say(f"wheelhouse {dest} is up to date")
        return
    dest.mkdir(parents=True, exist_ok=True)
    with step(f"downloading wheels for Python {python_version} into {dest}"):
        result = subprocess.run(
            download_args(requirements, dest, python_version),
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise BootstrapError(
            "pip download for the image wheelhouse failed",
            "check that PyPI answers (pip index versions flask), then re-run: make bootstrap",
            detail=result.stderr,
        )
    stamp.write_text(wanted)


def _fingerprint(requirements: list[Path], python_version: str) -> str:
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in requirements)).hexdigest()
    return f"{digest} python{python_version} {' '.join(PLATFORMS)}\n"
