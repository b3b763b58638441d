"""Where the project lives and what it is called: facts shared by config, naming and image."""

from pathlib import Path

PROJECT_NAME = "ticket-dashboard"
"""The Pulumi project name (Pulumi.yaml) and the prefix of every Docker object."""

CONFIG_NAMESPACE = PROJECT_NAME
"""Stack settings are keys like ``ticket-dashboard:memoryLimit``."""

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The folder holding Pulumi.yaml; relative paths in stack config resolve against it."""

APP_DIR = PROJECT_ROOT / "app"
"""The image's build context (app/Dockerfile and the ``dashboard`` package)."""
