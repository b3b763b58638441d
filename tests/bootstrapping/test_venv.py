"""A venv left without pip (python3 -m venv on a host lacking python3-venv) is made again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bootstrap import venv


def _venv_without_pip(root: Path) -> Path:
    # What Debian's python3 leaves behind when ensurepip is missing: a python, no pip.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    return root / ".venv" / "bin" / "python"


def test_pip_runs_tells_a_venv_without_pip(tmp_path):
    assert not venv.pip_runs(_venv_without_pip(tmp_path))
    assert venv.pip_runs(Path(sys.executable))


def test_a_venv_without_pip_is_created_again_before_installing(tmp_path, monkeypatch):
    _venv_without_pip(tmp_path)
    (tmp_path / "infra").mkdir()
    (tmp_path / "requirements.txt").write_text("flask==3.1.2\n")
    ran: list[str] = []
    monkeypatch.setattr(venv, "_run", lambda args, what, fix: ran.append(what))

    venv.ensure_venv(tmp_path, "make venv")

    assert ran == ["python3 -m venv", "pip install -r requirements.txt"]
