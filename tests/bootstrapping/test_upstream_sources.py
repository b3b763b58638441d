"""The third plugin source: upstream archives, checked against SHA256SUMS before use."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from bootstrap import pulumi_tools, upstream_sources
from bootstrap.pins import (
    PROVIDER_VERSION_VAR,
    SDK_VERSION_VAR,
    Pins,
    engine_ldflags,
    provider_ldflags,
)
from bootstrap.progress import BootstrapError

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["pulumi-docker-5.1.0.tar.gz", "terraform-provider-docker-5074970c.tar.gz"]


def _archive_folder(tmp_path: Path, names: list[str], listed: dict[str, bytes] | None = None):
    """A folder of small tarballs and a SHA256SUMS that lists `listed` (default: them)."""
    folder = tmp_path / "third_party"
    folder.mkdir()
    contents = {name: f"contents of {name}".encode() for name in names}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    listed = contents if listed is None else listed
    sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in listed.items())
    (folder / upstream_sources.SUMS).write_text(sums)
    return folder


def test_matching_archives_are_accepted(tmp_path):
    folder = _archive_folder(tmp_path, NAMES)
    archives = upstream_sources.checked_archives(folder, NAMES)
    assert archives is not None and sorted(archives.sha256) == sorted(NAMES)


def test_a_hash_mismatch_is_refused_naming_the_file(tmp_path):
    folder = _archive_folder(tmp_path, NAMES)
    (folder / NAMES[1]).write_bytes(b"tampered")
    with pytest.raises(BootstrapError) as raised:
        upstream_sources.checked_archives(folder, NAMES)
    assert NAMES[1] in raised.value.what
    assert "SHA256SUMS" in raised.value.what
    assert NAMES[0] not in raised.value.what


@pytest.mark.parametrize("missing", ["archive", "listing", "sums file", "folder"])
def test_missing_archives_fall_through(tmp_path, missing):
    folder = _archive_folder(tmp_path, NAMES)
    if missing == "archive":
        (folder / NAMES[0]).unlink()
    elif missing == "listing":
        (folder / upstream_sources.SUMS).write_text("")
    elif missing == "sums file":
        (folder / upstream_sources.SUMS).unlink()
    else:
        folder = tmp_path / "nowhere"
    assert upstream_sources.checked_archives(folder, NAMES) is None


def test_no_source_error_names_the_binary_and_the_official_install_at_the_pins():
    pins = Pins(pulumi="3.999.0", pulumi_docker="9.8.7")  # not the real ones: no hard-coding
    error = pulumi_tools._no_source("pulumi-resource-docker", pins.pulumi_docker, pins)
    assert "pulumi-resource-docker 9.8.7" in error.what
    assert "--version 3.999.0" in error.fix
    assert "pulumi plugin install resource docker 9.8.7" in error.fix
    assert upstream_sources.ENV_DIR in error.fix


def test_version_stamps_follow_the_pins_and_name_each_binarys_variable():
    assert engine_ldflags("3.999.0").endswith(f"-X {SDK_VERSION_VAR}=v3.999.0")
    assert provider_ldflags("9.8.7").endswith(f"-X {PROVIDER_VERSION_VAR}=9.8.7")


def test_env_folder_wins_over_the_shared_folder(tmp_path):
    chosen = upstream_sources.archive_folder(tmp_path, {upstream_sources.ENV_DIR: "/srv/src"})
    assert chosen == Path("/srv/src")


def test_shared_folder_beside_the_repo_is_the_default(tmp_path):
    repo = tmp_path / "main"
    repo.mkdir()
    assert upstream_sources.archive_folder(repo, {}) is None
    (tmp_path / "shared" / "third_party").mkdir(parents=True)
    assert upstream_sources.archive_folder(repo, {}) == tmp_path / "shared" / "third_party"


def test_archive_names_follow_the_pins_and_the_wrappers_upstream_commit():
    commit = pulumi_tools._upstream_commit(ROOT / "bootstrap" / "go" / "pulumi-resource-docker")
    names = upstream_sources.archive_names("3.246.0", "5.1.0", commit)
    assert names["pulumi-resource-docker"] == NAMES
    assert names["pulumi-language-python"] == ["pulumi-language-python-3.246.0.tar.gz"]


def test_build_key_changes_with_an_archive_hash(tmp_path):
    one = upstream_sources.Archives(tmp_path, {"a.tar.gz": "11"})
    other = upstream_sources.Archives(tmp_path, {"a.tar.gz": "22"})
    assert upstream_sources.build_key(one, "1.0") != upstream_sources.build_key(other, "1.0")
    assert upstream_sources.build_key(one, "1.0") != upstream_sources.build_key(one, "1.1")


def test_unpack_strips_the_top_folder_and_refuses_escapes(tmp_path):
    good = _tarball(tmp_path / "good.tar.gz", {"top/a/b.txt": b"x"})
    upstream_sources.unpack(good, tmp_path / "out")
    assert (tmp_path / "out" / "a" / "b.txt").read_bytes() == b"x"
    evil = _tarball(tmp_path / "evil.tar.gz", {"top/ok": b"", "top/../../escape": b"x"})
    with pytest.raises(BootstrapError) as raised:
        upstream_sources.unpack(evil, tmp_path / "out2")
    assert "'top/../../escape'" in raised.value.what
    assert not (tmp_path / "escape").exists()
    assert list((tmp_path / "out2").iterdir()) == []


def _tarball(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
