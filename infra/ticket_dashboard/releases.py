"""Releases: the app images a stack built, named by the first 12 hex digits of the ID.

Every build of app/ is tagged ``<stack repository>:<content hash>`` and stays in the engine
(pulumi-docker never deletes an image), so the stack's repository is its release history.
A rollback pins one of them (``ticket-dashboard:release``); the program then runs that
image instead of the build, and nothing is rebuilt. ``ReleasePruning`` (release_pruning.py)
keeps the newest ``releasesKept``.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import docker
import pulumi

RELEASE_ID_LENGTH = 12


class ReleaseNotFound(pulumi.RunError, LookupError):
    """A pinned release the engine does not hold; the message lists those it does (a
    RunError, so `pulumi up` shows the message, not a traceback)."""


def release_id(image_id: str) -> str:
    """``sha256:3f2a...`` -> ``3f2a...`` (12 digits), as ``docker images`` shows it."""
    return image_id.removeprefix("sha256:")[:RELEASE_ID_LENGTH]


@dataclass(frozen=True)
class Release:
    id: str
    image_id: str
    created: str
    """ISO 8601, as the engine reports it: they sort in time order."""
    tags: tuple[str, ...]


def stack_releases(client: Any, repository: str) -> list[Release]:
    """The images tagged in ``repository``, newest first."""
    releases = [
        Release(
            id=release_id(image.id),
            image_id=image.id,
            created=image.attrs.get("Created", ""),
            tags=tuple(tag for tag in image.tags if tag.startswith(f"{repository}:")),
        )
        for image in client.images.list(name=repository)
    ]
    return sorted(releases, key=lambda release: release.created, reverse=True)


def find_release(releases: Sequence[Release], wanted: str) -> Release:
    for release in releases:
        if release.id == wanted:
            return release
    known = ", ".join(release.id for release in releases) or "none"
    raise ReleaseNotFound(
        f"release {wanted} is not in the engine (it holds: {known}); run `make releases` "
        "to list them, or `pulumi config rm ticket-dashboard:release` to deploy app/ as it is"
    )


def previous_release(releases: Sequence[Release], current: str) -> Release | None:
    """The release built just before ``current`` (``releases`` newest first)."""
    ids = [release.id for release in releases]
    if current not in ids:
        return releases[0] if releases else None
    index = ids.index(current)
    return releases[index + 1] if index + 1 < len(releases) else None


def rollback_target(
    releases: Sequence[Release], running: str | None, healthy: Iterable[str]
) -> Release | None:
    """``make rollback``'s default: the newest release built before ``running`` that ran
    healthy. A release built in between that failed its gates never ran, so it is skipped;
    going by build order, a second rollback steps back further instead of returning."""
    ran_healthy = set(healthy)
    ids = [release.id for release in releases]
    older = releases[ids.index(running) + 1 :] if running in ids else releases
    return next((release for release in older if release.id in ran_healthy), None)


HEALTHY_KEPT = 50
"""Entries of the healthy record; far more than ``releasesKept`` allows (1-50)."""


def record_healthy(healthy: Sequence[str], running: str, pruned: Iterable[str]) -> list[str]:
    """The record after ``running`` ran healthy: it first, then the earlier ones, less
    those just pruned (they cannot be rolled back to any more)."""
    gone = {running, *pruned}
    return [running, *(release for release in healthy if release not in gone)][:HEALTHY_KEPT]


def releases_to_prune(
    releases: Sequence[Release], keep: int, protected: Iterable[str]
) -> list[Release]:
    """Everything past the newest ``keep``, except the ``protected`` ids (the one running)."""
    spared = set(protected)
    return [release for release in releases[keep:] if release.id not in spared]


def engine_client() -> Any:
    return docker.from_env()


def pinned_image(
    repository: str, pin: str | None, client_factory: Callable[[], Any] | None = None
) -> str | None:
    """The full image ID of the pinned release, or None when nothing is pinned."""
    if pin is None:
        return None
    client = (client_factory or engine_client)()
    try:
        return find_release(stack_releases(client, repository), pin).image_id
    finally:
        client.close()
