"""The image tag: a hash of exactly the build inputs, and the reference containers use."""

from pathlib import Path

import pytest

from ticket_dashboard.components.image import build_hash, context_files, image_reference

ARGS = {"BASE_IMAGE": "python:3.11-slim-bookworm"}


@pytest.fixture
def context(tmp_path: Path) -> Path:
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "Dockerfile").write_text("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n")
    (tmp_path / "dashboard" / "__init__.py").write_text("")
    (tmp_path / "dashboard" / "app.py").write_text("print('hi')\n")
    return tmp_path


def test_hash_is_stable_for_unchanged_inputs(context: Path) -> None:
    assert build_hash(context, ARGS, "linux/amd64") == build_hash(context, ARGS, "linux/amd64")


def test_hash_changes_when_a_source_file_changes(context: Path) -> None:
    before = build_hash(context, ARGS, "linux/amd64")
    (context / "dashboard" / "app.py").write_text("print('bye')\n")
    assert build_hash(context, ARGS, "linux/amd64") != before


def test_hash_changes_when_a_file_is_added(context: Path) -> None:
    before = build_hash(context, ARGS, "linux/amd64")
    (context / "dashboard" / "new.py").write_text("")
    assert build_hash(context, ARGS, "linux/amd64") != before


def test_hash_changes_with_base_image_and_platform(context: Path) -> None:
    before = build_hash(context, ARGS, "linux/amd64")
    assert build_hash(context, {"BASE_IMAGE": "other:1"}, "linux/amd64") != before
    assert build_hash(context, ARGS, "linux/arm64") != before


def test_bytecode_caches_do_not_change_the_hash(context: Path) -> None:
    before = build_hash(context, ARGS, "linux/amd64")
    cache = context / "dashboard" / "__pycache__"
    cache.mkdir()
    (cache / "app.cpython-311.pyc").write_bytes(b"\x00")
    assert build_hash(context, ARGS, "linux/amd64") == before


def test_dockerignored_files_are_not_hashed(context: Path) -> None:
    (context / ".dockerignore").write_text("# local junk\nnotes/\n*.log\n!keep.log\n")
    (context / "notes").mkdir()
    (context / "notes" / "todo.txt").write_text("x")
    (context / "debug.log").write_text("x")
    (context / "keep.log").write_text("x")
    files = context_files(context)
    assert "notes/todo.txt" not in files
    assert "debug.log" not in files
    assert {"keep.log", "Dockerfile", "dashboard/app.py", ".dockerignore"} <= set(files)


def test_files_are_listed_sorted_with_forward_slashes(context: Path) -> None:
    files = context_files(context)
    assert files == sorted(files)
    assert "dashboard/app.py" in files


def test_containers_use_the_image_id_when_known() -> None:
    assert image_reference("sha256:abc", "repo:tag") == "sha256:abc"


def test_containers_fall_back_to_the_content_tag() -> None:
    assert image_reference("", "repo:0123456789abcdef") == "repo:0123456789abcdef"
    assert image_reference(None, "repo:0123456789abcdef") == "repo:0123456789abcdef"
