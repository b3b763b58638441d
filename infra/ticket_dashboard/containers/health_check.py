"""A container's Docker health check, as the provider takes it and reads it back."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi_docker as docker

from ticket_dashboard.units import go_duration


@dataclass(frozen=True)
class HealthCheck:
    """A Docker health check; ``test`` is an exec-form command (no shell in the image)."""

    test: Sequence[str]
    # How often and how soon to probe depends on the role; timeout and retries do not.
    interval_seconds: int
    start_period_seconds: int
    timeout_seconds: int = 5
    retries: int = 3

    def as_args(self) -> docker.ContainerHealthcheckArgs:
        # Go duration spellings: the provider reads them back that way (see units.go_duration).
        return docker.ContainerHealthcheckArgs(
            tests=["CMD", *self.test],
            interval=go_duration(self.interval_seconds),
            timeout=go_duration(self.timeout_seconds),
            start_period=go_duration(self.start_period_seconds),
            retries=self.retries,
        )
