"""Keeps a stack's newest ``releasesKept`` app images, and remembers which ones ran healthy.

pulumi-docker's ``Image`` never deletes what it built, so without this every release
would stay in the engine forever. A dynamic resource, so a plain ``pulumi up`` prunes too:
it runs whenever the running release changes. An image a container still uses is left
alone (the engine refuses to remove it, and that is fine: it goes on a later run).

It runs only after every replica passed its health gate (the program makes it depend on
the dashboard), so its state is also the truthful record of the releases that ran
healthy: ``healthy``, most recent run first, exported as the stack output
``healthy_releases``. A failed release never gets this far and is never in it; an image
label could not say so, because a label is fixed at build time, before anything ran.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


class ReleasePruningProvider(ResourceProvider):
    """Everything is imported inside the methods: the provider runs in its own process."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["repository"], outs=self._run(props, []))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._run(news, olds.get("healthy") or []))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in ("running", "keep") if olds.get(key) != news.get(key)]
        # State from before the record existed: the first up after the upgrade writes it.
        unrecorded = olds.get("healthy") is None
        replaces = ["repository"] if olds.get("repository") != news.get("repository") else []
        return DiffResult(changes=bool(changed or replaces or unrecorded), replaces=replaces)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # Destroying the stack keeps its images: they are releases someone may want back.
        return None

    def _run(self, props: dict[str, Any], healthy: list[str]) -> dict[str, Any]:
        from ticket_dashboard.releases import record_healthy, release_id

        pruned = self._prune(props)
        return {
            **props,
            "pruned": pruned,
            "healthy": record_healthy(healthy, release_id(props["running"]), pruned),
        }

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
    """Prunes ``repository`` down to its newest ``keep`` images, sparing ``running``, once
    ``running`` is healthy, and adds it to ``healthy``."""

    pruned: pulumi.Output[list[str]]
    healthy: pulumi.Output[list[str]]
    """Release ids that ran healthy (passed their gates), most recent run first."""

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
            {
                "repository": repository,
                "running": running,
                "keep": keep,
                "pruned": None,
                "healthy": None,
            },
            opts,
        )
