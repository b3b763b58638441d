"""What each `python3 -m bootstrap --profile NAME` installs.

venv:   the project virtualenv (.venv) only
lint:   + actionlint (what `make lint` runs)
deploy: + engine, base image, wheelhouse, Pulumi CLI and plugins (what `make up` needs)
test:   deploy + chromium and chromedriver, actionlint (what `make test` needs)
bench:  test + wrk, docker-compose, vegeta (what `make bench` needs)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AptTool:
    """A Debian package set, present when ``command`` is on PATH."""

    command: str
    packages: tuple[str, ...]


CHROMIUM = AptTool("chromedriver", ("chromium", "chromium-driver"))
WRK = AptTool("wrk", ("wrk",))
DOCKER_COMPOSE = AptTool("docker-compose", ("docker-compose",))


@dataclass(frozen=True)
class Profile:
    deploy: bool  # engine, sample tree, base image, wheelhouse, Pulumi toolchain
    apt_tools: tuple[AptTool, ...] = ()
    go_tools: tuple[str, ...] = ()  # names in pyproject's [tool.ticket-dashboard.go-tools]


PROFILES = {
    "venv": Profile(deploy=False),
    "lint": Profile(deploy=False, go_tools=("actionlint",)),
    "deploy": Profile(deploy=True),
    "test": Profile(deploy=True, apt_tools=(CHROMIUM,), go_tools=("actionlint", "vegeta")),
    "bench": Profile(
        deploy=True,
        apt_tools=(CHROMIUM, WRK, DOCKER_COMPOSE),
        go_tools=("actionlint", "vegeta"),
    ),
}


def missing_packages(tools: tuple[AptTool, ...], on_path: Callable[[str], bool]) -> list[str]:
    """The Debian packages to install: those of every tool whose command is not on PATH."""
    return [package for tool in tools if not on_path(tool.command) for package in tool.packages]


def profile_building(go_tool: str) -> str:
    """The smallest profile that builds ``go_tool``: the one to name in an error."""
    return next(name for name, profile in PROFILES.items() if go_tool in profile.go_tools)
