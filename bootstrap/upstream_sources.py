"""The third source of the two plugins: untouched upstream source archives beside the repo.

On a host whose Go module proxy refuses the language host and the docker provider,
their upstream sources ship as archives (``TD_UPSTREAM_SOURCES``, else
``../shared/third_party``) with a ``SHA256SUMS`` file. Each archive is checked against
it before anything is unpacked, unpacked into the tools folder's ``src/``, and built the way
upstream builds it (the steps in that folder's SOURCES.md). Nothing here is committed.

A build is keyed on the archive hashes, the pin and the Go version: a warm bootstrap
finds the key beside the binary and rebuilds nothing.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .go_build import build_tool, go_env, require_go, run_go
from .pins import engine_ldflags, provider_ldflags
from .progress import BootstrapError, step
from .safe_tar import unpack_tree

ENV_DIR = "TD_UPSTREAM_SOURCES"
SUMS = "SHA256SUMS"


@dataclass(frozen=True)
class Archives:
    """A folder of archives whose listed hashes have been checked."""

    folder: Path
    sha256: dict[str, str]  # archive file name -> hex digest, as listed in SHA256SUMS

    def path(self, name: str) -> Path:
        return self.folder / name


def archive_folder(root: Path, environ: Mapping[str, str]) -> Path | None:
    """``TD_UPSTREAM_SOURCES`` if set, else ``../shared/third_party`` if it exists."""
    if environ.get(ENV_DIR):
        return Path(environ[ENV_DIR])
    shared = root.parent / "shared" / "third_party"
    return shared if shared.is_dir() else None


def checked_archives(folder: Path | None, needed: list[str]) -> Archives | None:
    """The archives in ``folder`` if all of ``needed`` are there and match SHA256SUMS.

    None when the folder or an archive is missing (the caller falls through to its
    error). A listed hash that does not match raises, naming the file: a corrupt or
    substituted archive must never be built.
    """
    if folder is None or not (folder / SUMS).is_file():
        return None
    listed = read_sums(folder / SUMS)
    if any(name not in listed or not (folder / name).is_file() for name in needed):
        return None
    for name in needed:
        found = file_sha256(folder / name)
        if found != listed[name]:
            raise BootstrapError(
                f"{folder / name} does not match {folder / SUMS} "
                f"(listed {listed[name][:12]}…, found {found[:12]}…)",
                f"restore the untouched upstream archive {name} (see {folder}/SOURCES.md), "
                "then re-run: make bootstrap",
            )
    return Archives(folder=folder, sha256={name: listed[name] for name in needed})


def read_sums(path: Path) -> dict[str, str]:
    """``sha256sum`` output: ``<hex>  <name>`` (``*name`` in binary mode)."""
    sums: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) == 2:
            sums[fields[1].lstrip("*")] = fields[0].lower()
    return sums


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_key(archives: Archives, version: str) -> str:
    """What a built binary depends on; written beside it, compared on the next run."""
    parts = [f"{name}={archives.sha256[name]}" for name in sorted(archives.sha256)]
    return "\n".join([*parts, f"version={version}", f"go={_go_version()}"]) + "\n"


@functools.cache
def _go_version() -> str:
    # Asked once per bootstrap run, however many binaries compare their keys.
    return subprocess.run(
        [require_go(), "env", "GOVERSION"], env=go_env(), capture_output=True, text=True
    ).stdout.strip()


def has_stamp(binary: Path) -> bool:
    return _stamp(binary).exists()


def is_current(binary: Path, key: str) -> bool:
    stamp = _stamp(binary)
    helpers = binary.name != "pulumi-language-python" or all(
        (binary.parent / name).exists() for name in _HELPERS
    )
    return helpers and stamp.exists() and stamp.read_text(encoding="utf-8") == key


def mark_current(binary: Path, key: str) -> None:
    _stamp(binary).write_text(key, encoding="utf-8")


def _stamp(binary: Path) -> Path:
    return binary.with_name(f".{binary.name}.source")


def unpack(archive: Path, destination: Path) -> Path:
    """Unpack a ``git archive`` tarball (one top folder) fresh into ``destination``."""
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    unpack_tree(archive, destination)
    return destination


def build_docker_provider(archives: Archives, src_root: Path, plugin: Path, version: str) -> None:
    """SOURCES.md's docker provider steps: unpack, patch upstream, generate, build."""
    key = build_key(archives, version)
    with step(f"unpacking pulumi-docker {version} and its upstream provider"):
        tree = unpack(archives.path(f"pulumi-docker-{version}.tar.gz"), src_root / "pulumi-docker")
        upstream = unpack(archives.path(_upstream_archive(archives)), tree / "upstream")
        for patch in sorted((tree / "patches").glob("*.patch")):
            _run(["patch", "-p1", "--forward", "--quiet", "-i", str(patch)], upstream, patch.name)
    provider = tree / "provider"
    with step("generating the provider schema (go run ./generate.go)"):
        env_dir = provider / "cmd" / "pulumi-resource-docker"
        _run([require_go(), "run", "./generate.go"], env_dir, "generate.go", {"VERSION": version})
    flags = provider_ldflags(version)
    build_tool(provider, "./cmd/pulumi-resource-docker", plugin, flags, source="upstream archive")
    mark_current(plugin, key)


def build_language_host(archives: Archives, src_root: Path, host: Path, version: str) -> None:
    """SOURCES.md's language host steps: pin pkg/sdk instead of monorepo paths, build,
    and put the two helper scripts beside the binary."""
    key = build_key(archives, version)
    with step(f"unpacking pulumi-language-python v{version}"):
        tree = unpack(archives.path(f"pulumi-language-python-{version}.tar.gz"), src_root / "plp")
    module = tree / "sdk" / "python" / "cmd" / "pulumi-language-python"
    with step("pinning pulumi pkg/sdk in the language host's go.mod (go mod tidy)"):
        for dependency in ("pkg/v3", "sdk/v3"):
            path = f"github.com/pulumi/pulumi/{dependency}"
            run_go(
                ["mod", "edit", f"-dropreplace={path}", f"-require={path}@v{version}"],
                module,
                "go mod edit",
            )
        run_go(["mod", "tidy"], module, "go mod tidy")
    build_tool(module, ".", host, engine_ldflags(version), source="upstream archive")
    for name, relative in _HELPERS.items():
        target = host.parent / name
        shutil.copyfile(tree / relative, target)
        target.chmod(0o755)
    mark_current(host, key)


# The language host execs the first; dynamic providers (pulumi.dynamic) need the second.
_HELPERS = {
    "pulumi-language-python-exec": "sdk/python/cmd/pulumi-language-python-exec",
    "pulumi-resource-pulumi-python": "sdk/python/dist/pulumi-resource-pulumi-python",
}


def _upstream_archive(archives: Archives) -> str:
    return next(n for n in archives.sha256 if n.startswith("terraform-provider-docker-"))


def _run(args: list[str], cwd: Path, what: str, extra_env: dict[str, str] | None = None) -> None:
    env = {**go_env(), **(extra_env or {})}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BootstrapError(
            f"{what} failed in {cwd}",
            "check the archives against SHA256SUMS, then re-run: make bootstrap",
            detail=result.stderr + result.stdout,
        )


def archive_names(
    pulumi_version: str, docker_version: str, upstream_commit: str
) -> dict[str, list[str]]:
    """The archives each plugin needs, by the file names SOURCES.md lists; the upstream
    Terraform provider's archive is named by the first 8 digits of its commit."""
    return {
        "pulumi-language-python": [f"pulumi-language-python-{pulumi_version}.tar.gz"],
        "pulumi-resource-docker": [
            f"pulumi-docker-{docker_version}.tar.gz",
            f"terraform-provider-docker-{upstream_commit[:8]}.tar.gz",
        ],
    }
