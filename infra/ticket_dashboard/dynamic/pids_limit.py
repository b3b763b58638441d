"""A per-container process cap (the cgroup pids controller, ``HostConfig.PidsLimit``).

pulumi-docker 5.1.0's ``Container`` has no ``pids_limit``, and neither has the upstream
Terraform provider. An nproc ulimit is no substitute: the kernel counts it per uid across
the host, and every container of the stack runs as uid 1001. So this dynamic resource
asks the engine to set the limit on a created container, the way ``docker update
--pids-limit`` does.

It is keyed on the container's ID: a replaced container is a new ID, so the limit is
set again on every replacement. ``read`` reports what the engine holds, so ``pulumi
refresh`` shows a limit someone changed by hand.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider


class PidsLimitProvider(ResourceProvider):
    """Sets and reads ``PidsLimit`` through the engine API (docker SDK, low level).

    Everything is imported inside the methods: the provider runs in its own process,
    which must not import the Pulumi program.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        self._apply(props["container_id"], int(props["pids_limit"]))
        return CreateResult(id_=props["container_id"], outs=dict(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in ("container_id", "pids_limit") if olds.get(key) != news.get(key)]
        # A new container is a new resource (its ID is ours); a new limit on the same
        # container is a replace too, so create() is the only code path that writes.
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        import docker

        client = docker.from_env()
        try:
            found = client.api.inspect_container(id_)["HostConfig"].get("PidsLimit")
        finally:
            client.close()
        return ReadResult(id_=id_, outs={**props, "pids_limit": found})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # The limit lives and dies with its container; nothing to undo.
        return None

    @staticmethod
    def _apply(container_id: str, limit: int) -> None:
        import docker

        client = docker.from_env()
        try:
            # docker-py 7.2's Container.update() has no pids_limit; the endpoint has.
            api: Any = client.api  # Any: these private helpers are not in docker's stubs
            url = api._url("/containers/{0}/update", container_id)
            api._result(api._post_json(url, data={"PidsLimit": limit}), json=True)
        finally:
            client.close()


class PidsLimit(Resource):
    """``HostConfig.PidsLimit = pids_limit`` on the container ``container_id``."""

    container_id: pulumi.Output[str]
    pids_limit: pulumi.Output[int]

    def __init__(
        self,
        name: str,
        container_id: pulumi.Input[str],
        pids_limit: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            PidsLimitProvider(),
            name,
            {"container_id": container_id, "pids_limit": pids_limit},
            opts,
        )
