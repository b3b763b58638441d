"""Turns a bare machine into a deploy, test or bench host (profiles.py says what each gets).

Standard library only: it runs before the project's virtualenv exists.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository: Pulumi.yaml, pyproject.toml, requirements.txt and app/ are found from here."""
