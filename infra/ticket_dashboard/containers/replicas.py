"""Replicas: several containers of one role, each released create-first beside the last.

A replica's name carries the release and a token renewed whenever any of its inputs
changes, so a new container never clashes with one still running; peers find all
replicas by the role's network alias.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pulumi

from ticket_dashboard.dynamic.name_token import NameToken
from ticket_dashboard.naming import StackNaming


@dataclass(frozen=True)
class Replica:
    """One of several containers of a role, created beside its predecessor on a release."""

    index: int
    release: pulumi.Input[str]


def replica_name(
    parent: pulumi.Resource,
    name: str,
    naming: StackNaming,
    role: str,
    replica: Replica,
    args: dict[str, Any],
) -> pulumi.Output[str]:
    """``<stack>-<role>-<release>-<token>-<index>``; the token keeps ``args``' digest."""
    # The digest covers the secret env entries too, so it would come out secret; 64 bits
    # of a SHA-256 over everything, kept in state, reveal nothing of them.
    digest = pulumi.Output.unsecret(pulumi.Output.from_input(args).apply(_digest))
    token = NameToken(f"{name}-name", digest, opts=pulumi.ResourceOptions(parent=parent))
    return pulumi.Output.all(replica.release, token.token).apply(
        lambda parts: naming.container(f"{role}-{parts[0]}-{parts[1]}-{replica.index}")
    )


def _digest(resolved: Any) -> str:  # 16 hex: the keepers of the name token
    # Nested input types (mounts, labels, health check) come back as objects: their
    # fields, not their repr (which holds a memory address), go into the digest.
    text = json.dumps(resolved, sort_keys=True, default=vars)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def create_first_options(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """Options for a replica: replaced on any input change like the others, but the new
    container is created (and, with wait, healthy) before the old one is deleted. Explicit
    False: the provider asks for delete-first on every container, and only an explicit
    option overrides it."""
    return pulumi.ResourceOptions(
        parent=parent, delete_before_replace=False, replace_on_changes=["*"]
    )
