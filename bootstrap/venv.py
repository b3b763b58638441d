"""The project virtualenv (.venv) from requirements.txt, which the Pulumi project runs in.

A stamp in the venv holds the hash of the requirements it was installed from: a warm
run compares it and installs nothing; a changed requirements.txt is installed again.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from .progress import BootstrapError, say, step

STAMP = ".installed"


def venv_action(python_exists: bool, stamp: str | None, wanted: str) -> str:
    """'create' a venv that has no python, 'install' into one whose stamp is not
    ``wanted`` (requirements changed, or never finished), else 'keep'."""
    if not python_exists:
        return "create"
    return "keep" if stamp == wanted else "install"


def requirements_stamp(requirements: Path) -> str:
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    return f"{requirements.name} sha256 {digest}\n"


def ensure_venv(root: Path, rerun: str) -> None:
    venv = root / ".venv"
    requirements = root / "requirements.txt"
    python = venv / "bin" / "python"
    stamp = venv / STAMP
    wanted = requirements_stamp(requirements)
    found = stamp.read_text(encoding="utf-8") if stamp.exists() else None
    action = venv_action(python.exists(), found, wanted)
    if action == "install" and not pip_runs(python):
        # `python3 -m venv` on a host without python3-venv (no ensurepip) fails after
        # making the python: once python3-venv is there, it must run again, not pip.
        action = "create"
    if action == "keep":
        say(f"venv {venv} matches {requirements.name}")
    else:
        if action == "create":
            fix = f"apt-get install -y python3-venv, then re-run: {rerun}"
            _run([sys.executable, "-m", "venv", str(venv)], "python3 -m venv", fix)
        stamp.unlink(missing_ok=True)  # an interrupted install must not look finished
        with step(f"installing {requirements.name} into {venv}"):
            pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            fix = f"check that PyPI answers (pip index versions flask), then re-run: {rerun}"
            _run([*pip, "-r", str(requirements)], f"pip install -r {requirements.name}", fix)
        stamp.write_text(wanted, encoding="utf-8")
    _link_program_venv(root)


def pip_runs(python: Path) -> bool:
    result = subprocess.run(
        [str(python), "-m", "pip", "--version"], capture_output=True, check=False
    )
    return result.returncode == 0


def _link_program_venv(root: Path) -> None:
    """infra/.venv -> ../.venv. Dynamic providers (pulumi.dynamic) start in the program
    folder (Pulumi.yaml's main: infra/) and resolve the runtime's virtualenv option
    against it, not against the project root as the program itself does."""
    link = root / "infra" / ".venv"
    if not link.is_symlink():
        link.symlink_to(Path("..") / ".venv")


def _run(args: list[str], what: str, fix: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BootstrapError(f"{what} failed", fix, detail=result.stderr + result.stdout)
