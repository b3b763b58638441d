"""The Pulumi CLI that bootstrap built (or found) works against a file backend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.pins import read_pins
from bootstrap.settings import tools_dir

ROOT = Path(__file__).resolve().parents[2]


def _pulumi(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PULUMI_BACKEND_URL": f"file://{tmp_path}"}
    return subprocess.run(
        [sys.executable, "-m", "bootstrap.run", "dev", "--", "pulumi", *args],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture()
def cli_ready():
    if not (tools_dir() / "toolchain.json").exists():
        pytest.fail("bootstrap has not run; run: make bootstrap-test")


def test_cli_version_equals_the_sdk_pin(cli_ready, tmp_path):
    result = _pulumi(tmp_path, "version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"v{read_pins(ROOT / 'requirements.txt').pulumi}"


def test_cli_manages_stack_config_in_the_file_backend(cli_ready, tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: clicheck\nruntime: python\n")
    assert _pulumi(tmp_path, "stack", "init", "organization/clicheck/t1").returncode == 0
    set_secret = _pulumi(tmp_path, "config", "set", "--secret", "token", "hunter2-hunter2")
    assert set_secret.returncode == 0, set_secret.stderr
    assert "hunter2" not in (tmp_path / "Pulumi.t1.yaml").read_text()
    shown = _pulumi(tmp_path, "config", "get", "token")
    assert shown.stdout.strip() == "hunter2-hunter2"
