"""The application image, built locally from app/Dockerfile and never pushed.

The tag is a hash of everything that goes into the build (context files, base image, build
args, platform), so an unchanged tree gives the same image name and Pulumi sees no change.
Containers reference the image by its ID, not its name (see ``AppImage.reference``).
"""

import fnmatch
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_docker as docker

from ticket_dashboard.dynamic.sbom import ImageSbom, sbom_path
from ticket_dashboard.naming import StackNaming

IMAGE_TYPE = "ticket-dashboard:index:Image"
PLATFORM = "linux/amd64"
HASH_LENGTH = 16
_ALWAYS_SKIPPED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})


@dataclass(frozen=True)
class ImageArgs:
    naming: StackNaming
    context_dir: Path
    base_image: str
    platform: str = PLATFORM
    extra_build_args: Mapping[str, str] = field(default_factory=dict)

    @property
    def build_args(self) -> dict[str, str]:
        return {"BASE_IMAGE": self.base_image, **self.extra_build_args}

    @property
    def dockerfile(self) -> Path:
        return self.context_dir / "Dockerfile"


class AppImage(pulumi.ComponentResource):
    """Builds the image the dashboard, backup and monitor containers all run."""

    reference: pulumi.Output[str]
    """What containers use: the local image ID (``sha256:...``)."""

    image_name: pulumi.Output[str]
    """The content-hash tag, e.g. ``ticket-dashboard-prod:3f2a...``."""

    sbom: ImageSbom
    """The build's CycloneDX SBOM (sbom.py), written when the image ID changes."""

    def __init__(
        self, name: str, args: ImageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(IMAGE_TYPE, name, None, opts)
        tag = build_hash(args.context_dir, args.build_args, args.platform)
        image = docker.Image(
            f"{name}-build",
            image_name=f"{args.naming.image_repository}:{tag}",
            build=docker.DockerBuildArgs(
                # Absolute paths: the provider process need not share the program's cwd.
                context=str(args.context_dir),
                dockerfile=str(args.dockerfile),
                args=args.build_args,
                platform=args.platform,
            ),
            skip_push=True,  # no registry on these hosts; the engine that builds, runs it
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.image_name = image.image_name
        self.reference = pulumi.Output.all(image.repo_digest, image.image_name).apply(
            lambda values: image_reference(values[0], values[1])
        )
        repository = args.naming.image_repository
        self.sbom = ImageSbom(
            f"{name}-sbom",
            image_id=self.reference,
            image_name=self.image_name,
            path=self.reference.apply(lambda image_id: str(sbom_path(repository, image_id))),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"reference": self.reference, "image_name": self.image_name})


def image_reference(repo_digest: str | None, image_name: str) -> str:
    """The image as containers should name it.

    For a local, unpushed build pulumi-docker 5 reports the image ID (``sha256:...``) as
    ``repo_digest``. The container provider stores an ID as the engine reports it, so the
    plan stays empty on re-runs, and a rebuild that yields the same layers keeps the same
    ID, so containers are only replaced when the image really changed. A name would
    instead be compared with the engine's ``Config.Image`` and resolved at create time.
    When the ID is missing (an older provider) the content-hash tag is the next best
    thing: it still changes exactly when the build inputs change.
    """
    return repo_digest or image_name


def build_hash(context_dir: Path, build_args: Mapping[str, str], platform: str) -> str:
    """A short SHA-256 over every build input; stable across machines and runs."""
    digest = hashlib.sha256()
    for key in sorted(build_args):
        _add_field(digest, f"arg:{key}", build_args[key].encode())
    _add_field(digest, "platform", platform.encode())
    for relative in context_files(context_dir):
        _add_field(digest, f"file:{relative}", (context_dir / relative).read_bytes())
    return digest.hexdigest()[:HASH_LENGTH]


def _add_field(digest: "hashlib._Hash", name: str, payload: bytes) -> None:
    # Length-prefixed, so no two different inputs can produce the same byte stream.
    for part in (name.encode(), payload):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)


def context_files(context_dir: Path) -> list[str]:
    """Files the build context sends, relative and sorted (``/`` separators).

    Honours ``.dockerignore`` exclusions in their simple forms. When in doubt a file is
    kept: hashing a file Docker ignores only costs a rebuild that Docker's layer cache
    turns into the same image ID, while missing one would skip a needed rebuild.
    """
    ignore = _ignore_patterns(context_dir / ".dockerignore")
    return sorted(relative for relative in _walk(context_dir) if not _ignored(relative, ignore))


def _walk(root: Path) -> Iterator[str]:
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        skipped = _ALWAYS_SKIPPED_DIRS.intersection(relative.parts[:-1])
        if path.is_file() and not skipped and path.suffix != ".pyc":
            yield relative.as_posix()


def _ignore_patterns(dockerignore: Path) -> tuple[list[str], list[str]]:
    if not dockerignore.is_file():
        return [], []
    lines = [line.strip() for line in dockerignore.read_text().splitlines()]
    patterns = [line.strip("/") for line in lines if line and not line.startswith("#")]
    excludes = [pattern for pattern in patterns if not pattern.startswith("!")]
    includes = [pattern[1:].strip("/") for pattern in patterns if pattern.startswith("!")]
    return excludes, includes


def _ignored(relative: str, patterns: tuple[list[str], list[str]]) -> bool:
    excludes, includes = patterns
    return _matches_any(relative, excludes) and not _matches_any(relative, includes)


def _matches_any(relative: str, patterns: Iterable[str]) -> bool:
    # A pattern matching a directory excludes everything below it.
    parts = relative.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    return any(
        fnmatch.fnmatchcase(prefix, pattern.replace("**/", "*").replace("/**", "/*"))
        for pattern in patterns
        for prefix in prefixes
    )
