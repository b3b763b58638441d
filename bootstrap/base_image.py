"""The app image's base: the stack's configured image, pulled, or an equivalent built here.

On a host that can pull, the configured image (by default pyproject.toml's
default-base-image, the public python slim image) is used as it is. Where no registry
answers, Debian bookworm minbase with python3 is debootstrapped, trimmed and imported
under the configured name, so the Pulumi program and Dockerfile are the same on both
kinds of host.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .apt import apt_install
from .docker_engine import docker_ok
from .progress import BootstrapError, say, step
from .settings import settings
from .stack_file import stack_setting

DEBIAN_SUITE = "bookworm"
PACKAGES = "python3"
# What a runtime base never reads: docs, caches, locales, the test suite, and the
# package-manager tooling (apt and its TLS/crypto libraries, perl, debconf, dpkg's file
# lists) that only installing packages needs. The image build adds nothing with apt:
# its packages come from the wheelhouse. Python's own extension modules link none of
# the libraries removed here (checked with ldd) except dbm.ndbm's libdb, which nothing
# here uses; tzdata comes from the wheelhouse, and pip too (python3-venv is left out).
TRIM = (
    "usr/bin/apt*",
    "usr/lib/apt",
    "etc/apt",
    "var/lib/apt",
    "var/cache/apt",
    "usr/lib/x86_64-linux-gnu/libapt-*",
    "usr/lib/x86_64-linux-gnu/libgnutls*",
    "usr/lib/x86_64-linux-gnu/libp11-kit*",
    "usr/lib/x86_64-linux-gnu/libhogweed*",
    "usr/lib/x86_64-linux-gnu/libnettle*",
    "usr/lib/x86_64-linux-gnu/libtasn1*",
    "usr/lib/x86_64-linux-gnu/libidn2*",
    "usr/lib/x86_64-linux-gnu/libunistring*",
    "usr/lib/x86_64-linux-gnu/libstdc++*",
    "usr/lib/x86_64-linux-gnu/libdb-5.3*",
    "usr/bin/gpgv",
    "usr/share/zoneinfo",
    "var/lib/dpkg/info/*",
    "var/cache/debconf/*",
    "var/log/*",
    "usr/share/doc/*",
    "usr/share/man/*",
    "usr/share/info/*",
    "usr/share/locale/*",
    "usr/share/lintian/*",
    "usr/share/common-licenses/*",
    "usr/share/bash-completion",
    "usr/share/perl5",
    "usr/lib/x86_64-linux-gnu/perl-base",
    "usr/bin/perl*",
    "usr/lib/x86_64-linux-gnu/gconv",
    "usr/lib/python3.11/test",
    "usr/lib/python3.11/pydoc_data",
    "usr/lib/python3.11/idlelib",
    "usr/lib/python3.11/lib2to3",
    "usr/lib/python3.11/tkinter",
)


def base_action(present: bool, pullable: bool) -> str:
    """'use' a present image, 'pull' one a registry has, else 'debootstrap'."""
    if present:
        return "use"
    return "pull" if pullable else "debootstrap"


def configured_base(stack_file: Path) -> str:
    """The stack's baseImage, else the project's default (what the program builds from)."""
    return stack_setting(stack_file, "baseImage") or settings().default_base_image


def ensure_base(image: str) -> None:
    present = docker_ok(["image", "inspect", image])
    pulled = False
    if not present:
        say(f"trying to pull {image}")
        pulled = docker_ok(["pull", image], timeout=300)
    action = base_action(present, pulled)
    if action == "debootstrap":
        say(f"{image} is neither present nor pullable: building an equivalent from Debian")
        build_debootstrap_base(image)
    else:
        say(f"base image {image} is {'present' if present else 'pulled'}")


def build_debootstrap_base(image: str) -> None:
    if shutil.which("debootstrap") is None:
        apt_install("debootstrap")
    with tempfile.TemporaryDirectory(prefix="td-base-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        with step(f"debootstrap {DEBIAN_SUITE} minbase with {PACKAGES} (~40 s)"):
            _debootstrap(rootfs)
        _trim(rootfs)
        with step(f"docker import as {image}"):
            _import(rootfs, image)


def debian_mirror(sources_dir: Path = Path("/etc/apt/sources.list.d")) -> str:
    """The machine's own Debian mirror, from its apt sources (never hard-coded)."""
    for path in sorted(sources_dir.glob("*.sources")) + [Path("/etc/apt/sources.list")]:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            mirror = _mirror_in(line)
            if mirror:
                return mirror
    raise BootstrapError(
        "no Debian mirror found in /etc/apt/sources.list.d",
        "configure apt (apt-get update must work), then re-run: make bootstrap",
    )


def _mirror_in(line: str) -> str | None:
    line = line.strip()
    if line.startswith("URIs:") or line.startswith("deb ") and "security" not in line:
        uri = line.split()[1]
    else:
        return None
    return None if "security" in uri else uri


def _debootstrap(rootfs: Path) -> None:
    args = [
        "debootstrap",
        "--variant=minbase",
        f"--include={PACKAGES}",
        DEBIAN_SUITE,
        str(rootfs),
        debian_mirror(),
    ]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        disk_full = "No space left" in result.stdout + result.stderr
        fix = (
            "free disk space (df -h /tmp; docker system prune), then re-run: make bootstrap"
            if disk_full
            else "read the debootstrap log above, then re-run: make bootstrap"
        )
        raise BootstrapError(
            "debootstrap failed" + (" (disk full)" if disk_full else ""),
            fix,
            detail=result.stdout[-2000:] + result.stderr[-2000:],
        )


def _trim(rootfs: Path) -> None:
    for pattern in TRIM:
        for path in rootfs.glob(pattern):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
    for cache in rootfs.glob("usr/lib/python3*/**/__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def _import(rootfs: Path, image: str) -> None:
    description = f"debootstrap Debian {DEBIAN_SUITE} minbase with python3, built for {image}"
    changes = [
        "--change",
        "ENV LANG=C.UTF-8",
        "--change",
        'CMD ["python3"]',
        "--change",
        f'LABEL org.opencontainers.image.description="{description}"',
    ]
    import_rootfs(rootfs, image, changes)


def import_rootfs(rootfs: Path, image: str, changes: list[str]) -> None:
    """``tar -C rootfs -c . | docker import CHANGES - image`` (the proxy image's too)."""
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    docker = subprocess.Popen(
        ["docker", "import", *changes, "-", image],
        stdin=tar.stdout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Only docker may hold the pipe, or tar blocks forever if docker exits early.
    assert tar.stdout is not None  # stdout=PIPE
    tar.stdout.close()
    _, stderr = docker.communicate()
    tar.wait()
    if docker.returncode != 0 or tar.returncode != 0:
        raise BootstrapError(
            f"docker import of {image} failed", "re-run: make bootstrap", detail=stderr
        )
