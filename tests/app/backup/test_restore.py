"""Restore reproduces a backup byte for byte and refuses anything that could escape."""

from __future__ import annotations

import io
import tarfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.backup import restore
from dashboard.backup.job import run_backup
from dashboard.backup.restore import RestoreError, restore_archive
from dashboard.backup.settings import BackupSettings
from tests.app.job_helpers import BINARY_BLOB, CRLF_TICKET, snapshot


@pytest.fixture
def archive(settings: BackupSettings) -> Path:
    clock = lambda: datetime(2025, 1, 2, tzinfo=UTC)  # noqa: E731 - a one-line fake
    return run_backup(settings, threading.Event(), clock).archive.path


# Both paths: the data filter, and the hand-written rules for Pythons without it
# (Debian bookworm's 3.11.2, which the images use).
@pytest.fixture(params=[True, False], ids=["data-filter", "no-data-filter"])
def data_filter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    if request.param and not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python's tarfile has no data filter")
    monkeypatch.setattr(restore, "SUPPORTS_DATA_FILTER", request.param)
    return request.param


def test_restore_reproduces_every_file_byte_for_byte(
    settings: BackupSettings, archive: Path, tmp_path: Path, data_filter: bool
) -> None:
    target = tmp_path / "restored"

    restore_archive(archive, target)

    assert snapshot(target / "tickets") == snapshot(settings.tickets_dir)
    assert snapshot(target / "data") == snapshot(settings.data_dir)
    assert (target / "tickets/planning/tickets/OPS-7.md").read_bytes() == CRLF_TICKET
    assert (target / "data/blob.bin").read_bytes() == BINARY_BLOB


def test_restore_into_an_existing_empty_directory(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()

    assert restore_archive(archive, target) > 0
    assert sorted(path.name for path in target.iterdir()) == ["data", "tickets"]


def test_restore_refuses_a_non_empty_target(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_bytes(b"precious")

    with pytest.raises(RestoreError, match="not empty"):
        restore_archive(archive, target)
    assert [path.name for path in target.iterdir()] == ["keep.txt"]
    assert (target / "keep.txt").read_bytes() == b"precious"


def test_restore_refuses_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"this is not gzip")

    with pytest.raises(RestoreError, match="not a readable tar.gz"):
        restore_archive(bogus, tmp_path / "target")


def _file(name: str) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.size = 4
    return member


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = kind
    member.linkname = target
    return member


def _special(name: str, kind: bytes) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = kind
    return member


# Each maker gets the folder above the restore target, where an escape would land.
UNSAFE_MEMBERS: dict[str, Callable[[Path], tarfile.TarInfo]] = {
    "parent-dir": lambda outside: _file("../evil.txt"),
    "nested-parent-dir": lambda outside: _file("tickets/../../evil.txt"),
    "absolute-path": lambda outside: _file(f"{outside}/evil.txt"),
    "symlink-outside": lambda outside: _link("tickets/escape", "../../evil.txt"),
    "symlink-absolute": lambda outside: _link("tickets/passwd", "/etc/passwd"),
    "hardlink-outside": lambda outside: _link("tickets/hard", "../evil.txt", tarfile.LNKTYPE),
    "device": lambda outside: _special("data/disk", tarfile.BLKTYPE),
    "fifo": lambda outside: _special("data/pipe", tarfile.FIFOTYPE),
}


@pytest.mark.parametrize("make_member", UNSAFE_MEMBERS.values(), ids=UNSAFE_MEMBERS.keys())
def test_restore_refuses_unsafe_members_and_writes_nothing(
    tmp_path: Path, make_member: Callable[[Path], tarfile.TarInfo], data_filter: bool
) -> None:
    outside = tmp_path / "outside"
    target = outside / "target"
    malicious = tmp_path / "malicious.tar.gz"
    with tarfile.open(malicious, "w:gz") as tar:
        tar.addfile(_file("data/harmless.txt"), io.BytesIO(b"fine"))
        member = make_member(outside)
        tar.addfile(member, io.BytesIO(b"evil") if member.isfile() else None)

    with pytest.raises(RestoreError, match="refusing"):
        restore_archive(malicious, target)
    assert list(target.iterdir()) == []
    assert sorted(path.name for path in outside.iterdir()) == ["target"]


def test_links_inside_the_archive_are_allowed() -> None:
    assert restore.unsafe_reason(_link("tickets/a/latest", "../b/file.md")) is None
    assert restore.unsafe_reason(_link("tickets/hard", "tickets/file.md", tarfile.LNKTYPE)) is None
