"""Keeps a stack's newest ``releasesKept`` app images and removes the older ones.

pulumi-docker's ``Image`` never deletes what it built, so without this every release
would stay in the engine forever. A dynamic resource, so a plain ``pulumi up`` prunes too:
it runs whenever the running release changes. An image a container still uses is left
alone (the engine refuses to remove it, and that is fine: it goes on a later run).
"""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


class ReleasePruningProvider(ResourceProvider):
    """Everything is imported inside the methods: the provider runs in its own process."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["repository"], outs={**props, "pruned": self._prune(props)})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs={**news, "pruned": self._prune(news)})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in ("running", "keep") if olds.get(key) != news.get(key)]
        replaces = ["repository"] if olds.get("repository") != news.get("repository") else []
        return DiffResult(changes=bool(changed or replaces), replaces=replaces)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # Destroying the stack keeps its images: they are releases someone may want back.
        return None

    @staticmethod
    def _prune(props: dict[str, Any]) -> list[str]:
        import docker

        from ticket_dashboard.releases import release_id, releases_to_prune, stack_releases

        client = docker.from_env()
        removed = []
        try:
            releases = stack_releases(client, props["repository"])
            running = release_id(props["running"])
            for release in releases_to_prune(releases, int(props["keep"]), [running]):
                try:
                    # By this stack's tags, not by ID: the same image may be another
                    # stack's release too (the build is the same), and stays that.
                    for tag in release.tags:
                        client.images.remove(tag)
                except docker.errors.APIError:  # still used by a container: a later run
                    continue
                removed.append(release.id)
        finally:
            client.close()
        return removed


class ReleasePruning(Resource):
    """Prunes ``repository`` down to its newest ``keep`` images, sparing ``running``."""

    pruned: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        repository: str,
        running: pulumi.Input[str],
        keep: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            ReleasePruningProvider(),
            name,
            {"repository": repository, "running": running, "keep": keep, "pruned": None},
            opts,
        )
