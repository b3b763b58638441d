"""The proxy's base image: HAProxy from Debian's own package, built here (no registry).

Like the app's base (base_image.py), it is Debian bookworm minbase debootstrapped from the
machine's mirror, trimmed and `docker import`ed. It holds haproxy and what haproxy links,
plus bash: the proxy's Docker health check talks HTTP through bash's /dev/tcp, because
the image has no curl, no python and dash has no /dev/tcp. The stack's HAProxy config is
not in the image: the program renders proxy/haproxy.cfg.tmpl and passes it to the
container (see proxy/README.md).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from . import base_image
from .apt import apt_install
from .progress import BootstrapError, say, step

PACKAGES = ("haproxy",)
HAPROXY = "usr/sbin/haproxy"
RUNTIME_USER = "1001:1001"  # infra/ticket_dashboard/workload.py; tested equal
RECIPE_LABEL = "ticket-dashboard.proxy-recipe"
"""Digest of what the image is built from: a present image with another one is rebuilt."""

# The program's own health check of the proxy (infra/ticket_dashboard/components/proxy.py's
# HEALTH_CHECK, tested equal), as the image's default: anyone who runs the image with the
# stack's config gets it, not only the containers the program declares (CIS Docker 4.6).
# bash's /dev/tcp asks haproxy's monitor-uri; it needs no capability and no write.
HEALTH_CHECK_TEST = (
    "/bin/bash",
    "-c",
    "exec 3<>/dev/tcp/127.0.0.1/8080"
    " && printf 'GET /proxy-health HTTP/1.0\\r\\n\\r\\n' >&3"
    " && read -r status <&3 && [[ $status == *' 200 '* ]]",
)
HEALTH_CHECK_SECONDS = {"interval": 3, "timeout": 2, "start-period": 10}
HEALTH_CHECK_RETRIES = 3

RUNTIME_FILES = (
    HAPROXY,
    # What `ldd usr/sbin/haproxy` lists, directly and through its libraries (checked in
    # bookworm's haproxy 2.6.12-1+deb12u3). The opentracing wrapper pulls in libstdc++,
    # which the app's base trims: that pattern must not apply here.
    "usr/lib/x86_64-linux-gnu/libcrypt.so.1",
    "usr/lib/x86_64-linux-gnu/libssl.so.3",
    "usr/lib/x86_64-linux-gnu/libcrypto.so.3",
    "usr/lib/x86_64-linux-gnu/liblua5.3.so.0",
    "usr/lib/x86_64-linux-gnu/libsystemd.so.0",
    "usr/lib/x86_64-linux-gnu/libpcre2-8.so.0",
    "usr/lib/x86_64-linux-gnu/libopentracing-c-wrapper.so.0",
    "usr/lib/x86_64-linux-gnu/libopentracing.so.1",
    "usr/lib/x86_64-linux-gnu/libstdc++.so.6",
    "usr/lib/x86_64-linux-gnu/libgcc_s.so.1",
    "usr/lib/x86_64-linux-gnu/libcap.so.2",
    "usr/lib/x86_64-linux-gnu/libgcrypt.so.20",
    "usr/lib/x86_64-linux-gnu/libgpg-error.so.0",
    "usr/lib/x86_64-linux-gnu/liblzma.so.5",
    "usr/lib/x86_64-linux-gnu/libzstd.so.1",
    "usr/lib/x86_64-linux-gnu/liblz4.so.1",
    "usr/lib/x86_64-linux-gnu/libm.so.6",
    "usr/lib/x86_64-linux-gnu/libc.so.6",
    # The health check's shell and the start command's (printf, redirect, exec).
    "usr/bin/bash",
    "usr/bin/sh",
)
"""Files the proxy runs with; no trim pattern may remove them (tests/bootstrapping)."""

# Beyond what the app's base drops: filesystem tools (a container has no block device to
# make, check or resize) and the locale compiler. Everything else a minbase holds is a
# few hundred kilobytes and useful when someone runs `docker exec ... bash` to look.
PROXY_ONLY_TRIM = (
    "usr/sbin/debugfs",
    "usr/sbin/e2*",
    "usr/sbin/e4*",
    "usr/sbin/mke2fs",
    "usr/sbin/mkfs*",
    "usr/sbin/fsck*",
    "usr/sbin/tune2fs",
    "usr/sbin/resize2fs",
    "usr/sbin/badblocks",
    "usr/sbin/dumpe2fs",
    "usr/sbin/mklost+found",
    "usr/lib/x86_64-linux-gnu/e2fsprogs",
    "usr/lib/x86_64-linux-gnu/libext2fs*",
    "usr/lib/x86_64-linux-gnu/libe2p*",
    "usr/lib/x86_64-linux-gnu/libopentracing_mocktracer*",
    "usr/lib/x86_64-linux-gnu/liblua5.3-c++*",
    "usr/bin/localedef",
)


def trim_removes(path: str, pattern: str) -> bool:
    """Whether deleting the matches of ``pattern`` (a Path.glob pattern relative to the
    root, as base_image's TRIM is) deletes ``path``, itself or with a parent folder."""
    candidate = PurePosixPath(path)
    depth = len(PurePosixPath(pattern).parts)
    if len(candidate.parts) < depth:
        return False
    return PurePosixPath(*candidate.parts[:depth]).match(pattern)


def proxy_trim(
    shared: tuple[str, ...] = base_image.TRIM,
    own: tuple[str, ...] = PROXY_ONLY_TRIM,
    keep: tuple[str, ...] = RUNTIME_FILES,
) -> tuple[str, ...]:
    """The app base's trim plus the proxy's own, minus any pattern that would delete a
    file the proxy runs with."""
    return tuple(
        pattern for pattern in shared + own if not any(trim_removes(path, pattern) for path in keep)
    )


def proxy_action(found_recipe: str | None, wanted_recipe: str) -> str:
    """'use' a present image built from this recipe (a re-run is quick), 'rebuild' one
    built from another (or before images carried it), else 'debootstrap' it (no registry
    has it)."""
    if found_recipe is None:
        return "debootstrap"
    return "use" if found_recipe == wanted_recipe else "rebuild"


def debootstrap_command(rootfs: Path, mirror: str) -> list[str]:
    return [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(PACKAGES)}",
        base_image.DEBIAN_SUITE,
        str(rootfs),
        mirror,
    ]


def healthcheck_instruction() -> str:
    """``HEALTHCHECK`` as a Dockerfile line, the form `docker import --change` takes."""
    options = [f"--{name}={seconds}s" for name, seconds in HEALTH_CHECK_SECONDS.items()]
    options.append(f"--retries={HEALTH_CHECK_RETRIES}")
    return f"{' '.join(options)} CMD {json.dumps(list(HEALTH_CHECK_TEST))}"


def _recipe_changes(image: str) -> dict[str, str]:
    description = (
        f"debootstrap Debian {base_image.DEBIAN_SUITE} minbase with {' '.join(PACKAGES)}, "
        f"built for {image}"
    )
    return {
        "ENV": "LANG=C.UTF-8",
        "USER": RUNTIME_USER,
        "CMD": '["haproxy", "-v"]',
        "HEALTHCHECK": healthcheck_instruction(),
        "LABEL": f'org.opencontainers.image.description="{description}"',
    }


def recipe_digest(image: str) -> str:
    """16 hex of everything the image is built from: suite, packages, trim, metadata."""
    recipe = {
        "suite": base_image.DEBIAN_SUITE,
        "packages": PACKAGES,
        "trim": proxy_trim(),
        "changes": _recipe_changes(image),
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


def import_changes(image: str) -> list[str]:
    """Image metadata for `docker import`. The program sets command, user, stop signal
    and health check on the container; these defaults make a bare `docker run` safe
    (uid 1001, not root), give it the proxy's health check and say what the image is
    and which recipe built it. STOPSIGNAL is no `docker import` change on engine 20.10:
    the container's stop_signal has to say it."""
    changes = _recipe_changes(image)
    changes["LABEL"] += f' {RECIPE_LABEL}="{recipe_digest(image)}"'
    return [arg for key, value in changes.items() for arg in ("--change", f"{key} {value}")]


def built_recipe(image: str) -> str | None:
    """The recipe label of ``image`` in the engine ('' if it has none), None if absent."""
    result = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", image],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        return None
    return (json.loads(result.stdout or "null") or {}).get(RECIPE_LABEL, "")


def ensure_proxy_base(name: str) -> None:
    """``name`` (pyproject.toml's proxy-image), built unless the engine already has it,
    built from this recipe."""
    wanted = recipe_digest(name)
    action = proxy_action(built_recipe(name), wanted)
    if action == "use":
        say(f"proxy image {name} is present (recipe {wanted})")
        return
    if action == "rebuild":
        say(f"proxy image {name} was built from another recipe; rebuilding it as {wanted}")
    if shutil.which("debootstrap") is None:
        apt_install("debootstrap")
    with tempfile.TemporaryDirectory(prefix="td-proxy-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        with step(f"debootstrap {base_image.DEBIAN_SUITE} minbase with haproxy (~40-70 s)"):
            _run(debootstrap_command(rootfs, base_image.debian_mirror()), "debootstrap")
        with step("trimming the proxy's root filesystem"):
            _trim(rootfs)
            _check_haproxy_runs(rootfs)
        with step(f"docker import as {name}"):
            base_image.import_rootfs(rootfs, name, import_changes(name))


def _trim(rootfs: Path) -> None:
    for pattern in proxy_trim():
        for path in rootfs.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def _check_haproxy_runs(rootfs: Path) -> None:
    """`haproxy -vv` loads every library haproxy links: a trim that went too far fails
    here, before an image exists, and not when the stack starts the proxy."""
    _run(["chroot", str(rootfs), f"/{HAPROXY}", "-vv"], "haproxy -vv in the trimmed image")


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return
    output = result.stdout[-2000:] + result.stderr[-2000:]
    disk_full = "No space left" in output
    raise BootstrapError(
        f"{what} failed" + (" (disk full)" if disk_full else ""),
        "free disk space (df -h /tmp; docker system prune), then re-run: make bootstrap"
        if disk_full
        else "read the output above, then re-run: make bootstrap",
        detail=output,
    )
