"""Lock decisions (ops/locks.py) on real lock files in a file backend layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ops.locks import StackLocked, clear_stale_locks, lock_dir, pulumi_alive

PROJECT = "ticket-dashboard"


def write_lock(backend: Path, stack: str, pid: int, hostname: str) -> Path:
    directory = lock_dir(f"file://{backend}", PROJECT, stack)
    assert directory is not None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{pid}-{hostname}.json"
    content = {
        "pid": pid,
        "username": "ci",
        "hostname": hostname,
        "timestamp": "2026-12-02T17:00:00Z",
    }
    path.write_text(json.dumps(content))
    return path


def run(backend: Path, stack: str = "dev", alive: bool = False) -> list[str]:
    said: list[str] = []
    clear_stale_locks(
        stack,
        PROJECT,
        {"PULUMI_BACKEND_URL": f"file://{backend}"},
        said.append,
        hostname="here",
        alive=lambda _pid: alive,
    )
    return said


def test_the_lock_of_a_dead_run_on_this_host_is_cleared_in_one_line(tmp_path):
    lock = write_lock(tmp_path, "dev", 4242, "here")
    said = run(tmp_path)
    assert not lock.exists()
    assert len(said) == 1
    assert "stale lock" in said[0] and "pid 4242" in said[0] and "ci@here" in said[0]


def test_a_live_lock_is_refused_with_its_holder_and_the_command_that_clears_it(tmp_path):
    lock = write_lock(tmp_path, "dev", 4242, "here")
    with pytest.raises(StackLocked) as refused:
        run(tmp_path, alive=True)
    message = str(refused.value)
    assert lock.exists()
    assert "being updated right now" in message
    assert "ci@here, pid 4242, since 2026-12-02T17:00:00Z" in message
    assert "make unlock STACK=dev" in message


def test_a_lock_from_another_host_is_never_cleared(tmp_path):
    lock = write_lock(tmp_path, "dev", 4242, "elsewhere")
    with pytest.raises(StackLocked, match="another host .*ci@elsewhere"):
        run(tmp_path)  # pid 4242 is not alive here, but it may be there
    assert lock.exists()


def test_another_stacks_lock_is_not_this_stacks(tmp_path):
    other = write_lock(tmp_path, "prod", 4242, "here")
    assert run(tmp_path, stack="dev") == []
    assert other.exists()


def test_no_file_backend_means_no_lock_files_to_read(tmp_path):
    assert lock_dir("https://api.pulumi.com", PROJECT, "dev") is None
    assert lock_dir(f"file://{tmp_path}", PROJECT, "dev") == (
        tmp_path / ".pulumi" / "locks" / "organization" / PROJECT / "dev"
    )


def test_a_reused_pid_that_is_not_pulumi_does_not_hold_the_lock():
    import os

    assert not pulumi_alive(os.getpid())  # pytest, not pulumi
    assert not pulumi_alive(2**22 + 1)  # above pid_max: no such process
