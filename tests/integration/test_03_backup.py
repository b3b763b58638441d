"""The backup sidecar archives on its (test) schedule, and an archive restores byte-identical."""

from __future__ import annotations

import hashlib
import json

import pytest

from dashboard.tickets.tree_locks import locks_dir

from .conftest import wait_until

pytestmark = pytest.mark.docker

# Prints {relative path: sha256} of every file under a folder, from inside a container.
TREE_DIGEST = (
    "import hashlib, json, pathlib, sys; root = pathlib.Path(sys.argv[1]); "
    "print(json.dumps({str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() "
    "for p in sorted(root.rglob('*')) if p.is_file()}))"
)


def _archives(container) -> list[str]:
    result = container.exec_run(["python", "-m", "dashboard.backup", "list"])
    return [line.split()[0] for line in result.output.decode().splitlines() if ".tar" in line]


def _host_digest(root) -> dict[str, str]:
    """The tree as a backup archives it: without the replicas' lock files."""
    locks = locks_dir(root)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and locks not in p.parents
    }


def test_an_archive_appears_on_schedule_and_restores_byte_identical(deployed, engine):
    backup = engine.containers.get(deployed.container("backup"))
    # The throwaway stack backs up every minute.
    archives = wait_until(lambda: _archives(backup), timeout=150, interval=2)
    assert archives, backup.logs(tail=30).decode()
    target = "/tmp/restore-check"  # noqa: S108 - the container's private tmpfs
    restore = backup.exec_run(["python", "-m", "dashboard.backup", "restore", archives[-1], target])
    assert restore.exit_code == 0, restore.output.decode()
    digest = backup.exec_run(["python", "-c", TREE_DIGEST, f"{target}/tickets"])
    restored = json.loads(digest.output.decode())
    # The archive is a snapshot: compare with the tree as it is now, minus later edits.
    current = _host_digest(deployed.tickets_dir)
    assert restored.keys() == current.keys()
    same = {path for path in restored if restored[path] == current[path]}
    assert same, "no restored file matches the host tree byte for byte"
    backup.exec_run(["python", "-c", f"import shutil; shutil.rmtree('{target}')"])
