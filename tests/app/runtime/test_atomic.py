"""A replaced file is the old bytes or the new, never a mix, and leaves no temp file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.runtime.atomic import atomic_replace


def test_atomic_replace_keeps_mode_and_leaves_no_temp_files(tmp_path: Path):
    target = tmp_path / "T-1.md"
    target.write_bytes(b"old")
    target.chmod(0o640)

    atomic_replace(target, b"new")

    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["T-1.md"]


def test_atomic_replace_replaces_inode_not_contents(tmp_path: Path):
    target = tmp_path / "T-1.md"
    target.write_bytes(b"old")
    reader = target.open("rb")  # a reader holding the old file sees old bytes, never a mix
    old_inode = target.stat().st_ino

    atomic_replace(target, b"new content")

    assert target.stat().st_ino != old_inode
    assert reader.read() == b"old"
    reader.close()


def test_failed_write_leaves_original_and_no_temp_file(tmp_path: Path, monkeypatch):
    target = tmp_path / "T-1.md"
    target.write_bytes(b"original")

    def failing_replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        atomic_replace(target, b"new")

    assert target.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["T-1.md"]
