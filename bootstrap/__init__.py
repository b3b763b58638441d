"""Turns a bare machine into a deploy host: venv aside, everything `pulumi up` needs.

Standard library only: it runs before the project's virtualenv exists.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository: Pulumi.yaml, requirements.txt, app/ and .tools/ are found from here."""
