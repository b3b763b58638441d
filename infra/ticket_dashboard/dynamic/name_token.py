"""A random token that stays the same until what it keeps changes: Pulumi's RandomId with
``keepers``, as a tiny dynamic resource (no random provider plugin is installed here).

Replica names carry one. A name derived from the inputs alone is not enough: after a
failed release, going back to the previous inputs would ask for the exact name of the
previous replica, which is still running (it is deleted only at the end of a successful
update), and the engine refuses a second container of that name.
"""

import secrets
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider

TOKEN_BYTES = 2


class NameTokenProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        token = secrets.token_hex(TOKEN_BYTES)
        return CreateResult(id_=token, outs={**props, "token": token})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("keepers") != news.get("keepers")
        return DiffResult(
            changes=changed, replaces=["keepers"] if changed else [], delete_before_replace=False
        )

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class NameToken(Resource):
    """``token``: 4 hex digits, new whenever ``keepers`` differs from the last run's."""

    token: pulumi.Output[str]

    def __init__(
        self, name: str, keepers: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(NameTokenProvider(), name, {"keepers": keepers, "token": None}, opts)
