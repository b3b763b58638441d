"""The Pulumi CLI, Python language host and docker resource plugin.

Either a `pulumi` already on PATH has the pinned version and the pinned docker
plugin (a normal user's machine: use it as it is), or all three are built from Go
module sources into the tools folder's bin/ and the plugin is registered with `--file`, so the
CLI never tries to download anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import upstream_sources
from .go_build import build_tool, go_env, require_go, run_go
from .pins import Pins, engine_ldflags, provider_ldflags
from .progress import BootstrapError, say, step
from .settings import tools_dir

CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
LANGUAGE_MODULE = "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
LANGUAGE_PACKAGE = LANGUAGE_MODULE
PROVIDER_MODULE = "github.com/pulumi/pulumi-docker/provider/v5"
UPSTREAM_MODULE = "github.com/kreuzwerker/terraform-provider-docker"
PROVIDER_PACKAGE = f"{PROVIDER_MODULE}/cmd/pulumi-resource-docker"


@dataclass(frozen=True)
class Toolchain:
    """Where the pulumi commands come from; recorded in <tools>/toolchain.json, which
    bootstrap/pulumi_env.py reads for every pulumi command make runs."""

    bin_dir: Path | None  # None: the user's own pulumi on PATH
    pulumi_home: Path | None  # None: the user's default ~/.pulumi


def choose_source(found_version: str | None, plugin_versions: list[str], pins: Pins) -> str:
    """'existing' when the pulumi on PATH is exactly what requirements.txt pins,
    else 'build'. A near miss is not good enough: the SDK and engine must match."""
    wanted_cli = f"v{pins.pulumi}"
    if found_version == wanted_cli and pins.pulumi_docker in plugin_versions:
        return "existing"
    return "build"


def ensure_toolchain(root: Path, pins: Pins) -> Toolchain:
    """CLI, language host and docker plugin: the user's, or built here.

    Each plugin comes from the first source that works: the Go wrapper modules in
    bootstrap/go/, then the upstream source archives (upstream_sources.py).
    """
    existing = _existing_pulumi(root)
    if existing:
        found = choose_source(_version_of(existing), _docker_plugins(existing, None), pins)
        if found == "existing":
            say(f"using the pulumi on PATH ({existing}, v{pins.pulumi}, docker plugin present)")
            return Toolchain(bin_dir=None, pulumi_home=None)
        say(f"{existing} is not pulumi v{pins.pulumi} with docker {pins.pulumi_docker}")
    tools = _local(root)
    go_dir = root / "bootstrap" / "go"
    _ensure_cli_binary(go_dir, tools, pins)
    sources = PluginSources(go_dir, _archives(root, go_dir, pins), tools_dir(root) / "src")
    # Try both plugins before failing, so one run reports everything that is missing.
    failures: list[BootstrapError] = []
    for ensure in (_ensure_language_host, _ensure_docker_plugin):
        try:
            ensure(sources, tools, pins)
        except BootstrapError as error:
            failures.append(error)
    if failures:
        raise _combined(failures)
    return tools


@dataclass(frozen=True)
class PluginSources:
    """Where the two plugins can come from when no usable pulumi is on PATH."""

    go_dir: Path
    archives: dict[str, upstream_sources.Archives | None]  # plugin binary -> checked archives
    src_root: Path


def _archives(root: Path, go_dir: Path, pins: Pins) -> dict[str, upstream_sources.Archives | None]:
    folder = upstream_sources.archive_folder(root, os.environ)
    commit = _upstream_commit(go_dir / "pulumi-resource-docker")
    names = upstream_sources.archive_names(pins.pulumi, pins.pulumi_docker, commit)
    return {
        binary: upstream_sources.checked_archives(folder, needed)
        for binary, needed in names.items()
    }


def _upstream_commit(module_dir: Path) -> str:
    """The upstream Terraform provider commit: the wrapper's replace directive names it
    (a pseudo-version ending in the commit), so the pin is written once."""
    fields = (module_dir / "go.mod").read_text(encoding="utf-8").split()
    for index, field in enumerate(fields[:-1]):
        if field == UPSTREAM_MODULE:
            return fields[index + 1].rsplit("-", 1)[-1]
    raise BootstrapError(
        f"{module_dir}/go.mod does not replace the provider's upstream with {UPSTREAM_MODULE}",
        "restore bootstrap/go from git: git checkout -- bootstrap/go",
    )


def _combined(failures: list[BootstrapError]) -> BootstrapError:
    if len(failures) == 1:
        return failures[0]
    detail = "\n".join(f"{f.what}\n{f.detail.strip()}" for f in failures)
    return BootstrapError(
        f"{len(failures)} Pulumi plugins could not be built", failures[0].fix, detail=detail
    )


def _local(root: Path) -> Toolchain:
    tools = tools_dir(root)
    return Toolchain(bin_dir=tools / "bin", pulumi_home=tools / "pulumi-home")


def _existing_pulumi(root: Path) -> Path | None:
    found = shutil.which("pulumi")
    if found is None or _is_ours(Path(found), root):
        return None
    return Path(found)


def _ensure_cli_binary(go_dir: Path, tools: Toolchain, pins: Pins) -> None:
    assert tools.bin_dir is not None  # a _local() toolchain
    cli = tools.bin_dir / "pulumi"
    if _version_of(cli) == f"v{pins.pulumi}":
        say(f"pulumi v{pins.pulumi} already built in {tools.bin_dir}")
        return
    build_tool(go_dir / "pulumi-cli", CLI_PACKAGE, cli, engine_ldflags(pins.pulumi))


def _ensure_language_host(sources: PluginSources, tools: Toolchain, pins: Pins) -> None:
    assert tools.bin_dir is not None  # a _local() toolchain
    host = tools.bin_dir / "pulumi-language-python"
    archives = sources.archives["pulumi-language-python"]
    if _is_fresh(host, archives, pins.pulumi):
        say("pulumi-language-python already built")
        return
    if _module_served(sources.go_dir / "pulumi-language-python", LANGUAGE_MODULE):
        flags = engine_ldflags(pins.pulumi)
        build_tool(sources.go_dir / "pulumi-language-python", LANGUAGE_PACKAGE, host, flags)
        return
    if archives is None:
        raise _no_source("pulumi-language-python", f"v{pins.pulumi}", pins)
    upstream_sources.build_language_host(archives, sources.src_root, host, pins.pulumi)


def _ensure_docker_plugin(sources: PluginSources, tools: Toolchain, pins: Pins) -> None:
    assert tools.bin_dir is not None  # a _local() toolchain
    cli = tools.bin_dir / "pulumi"
    # Not in bin/: the CLI would prefer a plugin on PATH over the registered one, and warn.
    plugin = tools.bin_dir.parent / "plugins" / "pulumi-resource-docker"
    archives = sources.archives["pulumi-resource-docker"]
    registered = pins.pulumi_docker in _docker_plugins(cli, tools.pulumi_home)
    fresh = _is_fresh(plugin, archives, pins.pulumi_docker)
    if registered and fresh:
        say(f"docker resource plugin {pins.pulumi_docker} already registered")
        return
    if not fresh:
        _build_docker_binary(sources, archives, plugin, pins)
    with step(f"registering docker plugin {pins.pulumi_docker}"):
        _pulumi(
            cli,
            tools.pulumi_home,
            "plugin",
            "install",
            "resource",
            "docker",
            pins.pulumi_docker,
            "--file",
            str(plugin),
            "--reinstall",
        )


def _build_docker_binary(
    sources: PluginSources, archives: upstream_sources.Archives | None, plugin: Path, pins: Pins
) -> None:
    module_dir = sources.go_dir / "pulumi-resource-docker"
    if _module_served(module_dir, PROVIDER_MODULE):
        _build_docker_plugin(module_dir, plugin, pins)
    elif archives is None:
        raise _no_source("pulumi-resource-docker", pins.pulumi_docker, pins)
    else:
        version = pins.pulumi_docker
        upstream_sources.build_docker_provider(archives, sources.src_root, plugin, version)


def _is_fresh(binary: Path, archives: upstream_sources.Archives | None, version: str) -> bool:
    """Built, and if it was built from archives, from these archives with this Go."""
    if not binary.exists():
        return False
    if archives is None or not upstream_sources.has_stamp(binary):
        return True  # built from the Go wrapper modules: their pins are in go.mod
    return upstream_sources.is_current(binary, upstream_sources.build_key(archives, version))


def _module_served(module_dir: Path, module: str) -> bool:
    """Source 2 of 3: does this machine's Go module proxy serve the plugin's module?
    Asking for its go.mod alone answers in a second, before any build is tried."""
    version = _required_version(module_dir, module)
    result = subprocess.run(
        [require_go(), "mod", "download", "-json", f"{module}@{version}"],
        cwd=module_dir,
        env=go_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        say(f"{module}@{version}: served by the Go module proxy, building from it")
        return True
    say(f"{module}: the Go module proxy does not serve it; trying the upstream archives")
    return False


def _no_source(binary: str, version: str, pins: Pins) -> BootstrapError:
    return BootstrapError(
        f"{binary} {version}: no source works here (no pulumi on PATH with it, the Go "
        f"module proxy refuses it, no upstream archives in ${upstream_sources.ENV_DIR} "
        "or ../shared/third_party)",
        "on a normal host: curl -fsSL https://get.pulumi.com | sh -s -- --version "
        f"{pins.pulumi} && pulumi plugin install resource docker {pins.pulumi_docker}; "
        "here: put the upstream "
        f"archives and their SHA256SUMS in a folder and export {upstream_sources.ENV_DIR}=it",
    )


def _build_docker_plugin(module_dir: Path, plugin: Path, pins: Pins) -> None:
    """The provider embeds schema-embed.json, which upstream generates at build time
    and does not ship in the module zip: build from a writable copy that has it."""
    source = _provider_source(module_dir, plugin.parent.parent / "src")
    build_dir = plugin.parent.parent / "build" / "pulumi-resource-docker"
    shutil.rmtree(build_dir, ignore_errors=True)
    shutil.copytree(module_dir, build_dir)
    run_go(["mod", "edit", f"-replace={PROVIDER_MODULE}={source}"], build_dir, "go mod edit")
    build_tool(build_dir, PROVIDER_PACKAGE, plugin, provider_ldflags(pins.pulumi_docker))


def _provider_source(module_dir: Path, src_root: Path) -> Path:
    with step("downloading the pulumi-docker provider module"):
        version = _required_version(module_dir, PROVIDER_MODULE)
        out = run_go(
            ["mod", "download", "-json", f"{PROVIDER_MODULE}@{version}"],
            module_dir,
            f"downloading {PROVIDER_MODULE}@{version}",
        )
    source = src_root / "pulumi-docker-provider"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(json.loads(out)["Dir"], source)
    source.chmod(0o755)
    for path in source.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    schema_dir = source / "cmd" / "pulumi-resource-docker"
    schema = json.loads((schema_dir / "schema.json").read_text(encoding="utf-8"))
    minified = json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
    (schema_dir / "schema-embed.json").write_text(minified, encoding="utf-8")
    return source


def _required_version(module_dir: Path, module: str) -> str:
    for line in (module_dir / "go.mod").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == module:
            return fields[1]
    raise BootstrapError(
        f"{module_dir}/go.mod does not require {module}",
        "restore bootstrap/go from git: git checkout -- bootstrap/go",
    )


def _is_ours(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(tools_dir(root).resolve())


def _version_of(pulumi: Path) -> str | None:
    if not pulumi.exists():
        return None
    result = subprocess.run([str(pulumi), "version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def _docker_plugins(pulumi: Path, home: Path | None) -> list[str]:
    if not pulumi.exists():
        return []
    result = _pulumi(pulumi, home, "plugin", "ls", "--json", check=False)
    try:
        plugins = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        return []
    return [
        p.get("version", "")
        for p in plugins
        if p.get("name") == "docker" and p.get("kind") == "resource"
    ]


def _pulumi(
    pulumi: Path, home: Path | None, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**_base_env(), **({"PULUMI_HOME": str(home)} if home else {})}
    result = subprocess.run(
        [str(pulumi), *args], env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise BootstrapError(
            f"pulumi {' '.join(args[:2])} failed", "re-run: make bootstrap", detail=result.stderr
        )
    return result


def _base_env() -> dict[str, str]:
    # Never let the CLI phone home for updates or plugins during bootstrap.
    return {
        **os.environ,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
    }
