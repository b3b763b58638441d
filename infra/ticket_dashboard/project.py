"""Where the project lives and what it is called: facts shared by config, naming and image."""

import tomllib
from pathlib import Path

PROJECT_NAME = "ticket-dashboard"
"""The Pulumi project name (Pulumi.yaml) and the prefix of every Docker object."""

CONFIG_NAMESPACE = PROJECT_NAME
"""Stack settings are keys like ``ticket-dashboard:memoryLimit``."""

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The folder holding Pulumi.yaml; relative paths in stack config resolve against it."""

APP_DIR = PROJECT_ROOT / "app"
"""The image's build context (app/Dockerfile and the ``dashboard`` package)."""


def _shared_setting(key: str) -> str:
    """A fact of pyproject.toml's [tool.ticket-dashboard] table, which bootstrap (before any
    venv exists) and bench read as well (bootstrap/settings.py)."""
    pyproject = PROJECT_ROOT / "pyproject.toml"
    if not pyproject.is_file():
        raise FileNotFoundError(
            f"{pyproject} is missing: the program reads [tool.{PROJECT_NAME}] {key} from it; "
            "a copy of the project must include pyproject.toml beside Pulumi.yaml"
        )
    with pyproject.open("rb") as stream:
        return tomllib.load(stream)["tool"][PROJECT_NAME][key]


DEFAULT_BASE_IMAGE = _shared_setting("default-base-image")
"""The app image's base unless a stack sets ``baseImage`` (the ``BASE_IMAGE`` build arg)."""

PROXY_IMAGE = _shared_setting("proxy-image")
"""The proxy container's image, which bootstrap builds (HAProxy from Debian)."""

TOOLS_DIR = PROJECT_ROOT / _shared_setting("tools-dir")
"""What bootstrap builds and the program writes beside the repository (never committed)."""
