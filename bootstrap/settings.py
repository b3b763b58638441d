"""The project facts written once in pyproject.toml's ``[tool.ticket-dashboard]`` table.

The default base image, the tools folder and the Go tool pins are read from there by
bootstrap, by bench/ (through this module) and by the Pulumi program
(infra/ticket_dashboard/project.py reads the default base image itself: it runs
without bootstrap on its path).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import ROOT
from .progress import BootstrapError

TABLE = "ticket-dashboard"


@dataclass(frozen=True)
class Settings:
    default_base_image: str
    proxy_image: str
    tools_dir: str  # relative to the repository
    go_tools: dict[str, str]  # binary name -> "package@version"


def read_settings(pyproject: Path) -> Settings:
    """The ``[tool.ticket-dashboard]`` table of ``pyproject``; a missing key is named."""
    with pyproject.open("rb") as stream:
        table = tomllib.load(stream).get("tool", {}).get(TABLE, {})
    try:
        settings = Settings(
            default_base_image=table["default-base-image"],
            proxy_image=table["proxy-image"],
            tools_dir=table["tools-dir"],
            go_tools=dict(table["go-tools"]),
        )
    except KeyError as missing:
        raise BootstrapError(
            f"{pyproject} has no {missing.args[0]} in its [tool.{TABLE}] table",
            f"add it back (git diff -- {pyproject.name} shows what changed)",
        ) from None
    bad = [f"{name} = {pin!r}" for name, pin in settings.go_tools.items() if "@" not in pin]
    if bad:
        raise BootstrapError(
            f"{pyproject}: Go tool pins must read package@version: {', '.join(bad)}",
            f'write each [tool.{TABLE}.go-tools] entry as name = "package@vX.Y.Z"',
        )
    return settings


@functools.cache
def settings() -> Settings:
    """This repository's settings, read once per process."""
    return read_settings(ROOT / "pyproject.toml")


def tools_dir(root: Path = ROOT) -> Path:
    """Where bootstrap puts what it builds, for the repository at ``root``."""
    return root / settings().tools_dir


def tools_bin(root: Path = ROOT) -> Path:
    return tools_dir(root) / "bin"
