"""``python -m dashboard.backup`` end to end, in a subprocess as the sidecar runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.job_helpers import (
    backup_environment,
    backup_settings,
    job_environment,
    json_lines,
    log_messages,
    run_module,
    snapshot,
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return backup_environment(backup_settings(tmp_path))


def test_help_lists_subcommands_and_environment() -> None:
    result = run_module("dashboard.backup", "--help", env=job_environment())

    assert result.returncode == 0
    for word in ("run", "daemon", "list", "restore", "DASHBOARD_BACKUP_SCHEDULE"):
        assert word in result.stdout


def test_run_list_restore_round_trip(env: dict[str, str], tmp_path: Path) -> None:
    ran = run_module("dashboard.backup", "run", env=env)
    listed = run_module("dashboard.backup", "list", env=env)
    archive_name = listed.stdout.split("\t")[0]
    restored = run_module("dashboard.backup", "restore", archive_name, str(tmp_path / "r"), env=env)

    assert ran.returncode == 0, ran.stderr
    assert "backup finished" in log_messages(ran.stdout)
    assert listed.returncode == 0
    assert len(listed.stdout.splitlines()) == 1
    assert archive_name.startswith("ticket-dashboard-backup-")
    assert restored.returncode == 0, restored.stdout
    assert snapshot(tmp_path / "r" / "tickets") == snapshot(Path(env["DASHBOARD_TICKETS_DIR"]))


def test_restore_into_a_non_empty_directory_exits_1(env: dict[str, str], tmp_path: Path) -> None:
    run_module("dashboard.backup", "run", env=env)
    archive = next(Path(env["DASHBOARD_BACKUP_DIR"]).glob("*.tar.gz"))
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "keep").write_text("x")

    result = run_module("dashboard.backup", "restore", str(archive), str(target), env=env)

    assert result.returncode == 1
    assert "not empty" in json_lines(result.stdout)[-1]["error"]


def test_run_with_a_missing_source_exits_1_and_logs_json(
    env: dict[str, str], tmp_path: Path
) -> None:
    env["DASHBOARD_DATA_DIR"] = str(tmp_path / "absent")

    result = run_module("dashboard.backup", "run", env=env)

    assert result.returncode == 1
    failure = json_lines(result.stdout)[-1]
    assert failure["level"] == "ERROR"
    assert failure["message"] == "backup failed"
    assert "DASHBOARD_DATA_DIR" in failure["error"]
