"""Stable names and labels for every Docker object of one stack.

Docker names are fixed (``ticket-dashboard-<stack>-<role>``) so operators and the port
probe can find them; changing a name here replaces the object, so treat these as API.
"""

from dataclasses import dataclass

from ticket_dashboard.project import PROJECT_NAME

# Label keys are plain words because operators filter on them by hand
# (`docker ps --filter label=stack=prod`) and the port probe searches by them.
LABEL_PROJECT = "project"
LABEL_STACK = "stack"
LABEL_ROLE = "role"
LABEL_RELEASE = "release"

# The stack's roles: each names a component, its container and its network alias.
DASHBOARD = "dashboard"
BACKUP = "backup"
MONITOR = "monitor"
PROXY = "proxy"
ROLES = (PROXY, DASHBOARD, BACKUP, MONITOR)


@dataclass(frozen=True)
class StackNaming:
    """Names and labels derived from the project and stack names."""

    project: str
    stack: str

    @property
    def prefix(self) -> str:
        return f"{self.project}-{self.stack}"

    def container(self, role: str) -> str:
        return f"{self.prefix}-{role}"

    def volume(self, purpose: str) -> str:
        return f"{self.prefix}-{purpose}"

    @property
    def network(self) -> str:
        return f"{self.prefix}-net"

    @property
    def image_repository(self) -> str:
        # Image repositories must be lower case, stack names need not be.
        return self.prefix.lower()

    def labels(self, role: str | None = None) -> dict[str, str]:
        labels = {LABEL_PROJECT: self.project, LABEL_STACK: self.stack}
        if role is not None:
            labels[LABEL_ROLE] = role
        return labels


def stack_naming(stack: str, project: str = PROJECT_NAME) -> StackNaming:
    return StackNaming(project=project, stack=stack)
