"""Unsafe tar members are refused before anything is written, on every Python 3.11.

Each case runs in this interpreter and, where Debian's /usr/bin/python3 predates
tarfile's extraction filters (3.11.2 on bookworm), in that interpreter too: there the
module's own check is the only guard.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bootstrap.progress import BootstrapError
from bootstrap.safe_tar import unpack_tree

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
THIRD_PARTY = ROOT.parent / "shared" / "third_party"

# Run in a subprocess: unpack argv[1] into argv[2]; print the error and exit 1 if refused.
_UNPACK_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from bootstrap.progress import BootstrapError
from bootstrap.safe_tar import unpack_tree
try:
    unpack_tree(Path(sys.argv[1]), Path(sys.argv[2]))
except BootstrapError as error:
    print(error.render(), file=sys.stderr)
    sys.exit(1)
"""


def _system_python_lacks_filters() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    probe = [str(SYSTEM_PYTHON), "-c", "import tarfile; print(hasattr(tarfile, 'data_filter'))"]
    return (
        subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip() == "False"
    )


def _unpack_here(archive: Path, destination: Path) -> str | None:
    """None if unpacked, else the refusal's rendered message."""
    try:
        unpack_tree(archive, destination)
    except BootstrapError as error:
        return error.render()
    return None


def _unpack_with_system_python(archive: Path, destination: Path) -> str | None:
    args = [str(SYSTEM_PYTHON), "-I", "-c", _UNPACK_SCRIPT, str(archive), str(destination)]
    result = subprocess.run([*args, str(ROOT)], capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return None
    assert result.returncode == 1, result.stderr  # a refusal, not a crash
    return result.stderr


@pytest.fixture(
    params=[
        pytest.param(_unpack_here, id="this-python"),
        pytest.param(
            _unpack_with_system_python,
            id="usr-bin-python3-without-filters",
            marks=pytest.mark.skipif(
                not _system_python_lacks_filters(),
                reason="no /usr/bin/python3 without tarfile filters on this host",
            ),
        ),
    ]
)
def unpack(request) -> Callable[[Path, Path], str | None]:
    return request.param


def _info(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "", mode: int = 0o644):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, linkname, mode
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        info.devmajor, info.devminor = 1, 3  # /dev/null's numbers
    return info


def _tarball(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """dest/ to unpack into, beside outside/ and victim.txt that nothing may touch."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "victim.txt").write_bytes(b"victim")
    (tmp_path / "dest").mkdir()
    return {"root": tmp_path, "dest": tmp_path / "dest"}


def _malicious_cases(root: Path) -> dict[str, tuple[str, list[tarfile.TarInfo]]]:
    """id -> (the member the refusal must name, the members after a harmless first one)."""
    victim = str(root / "victim.txt")
    return {
        "absolute path": (
            f"{root}/outside/abs.txt",
            [_info(f"{root}/outside/abs.txt")],
        ),
        "dot-dot component": ("top/../escape.txt", [_info("top/../escape.txt")]),
        "symlink out of the tree": (
            "top/link",
            [_info("top/link", tarfile.SYMTYPE, "../outside"), _info("top/link/pwned.txt")],
        ),
        "absolute symlink": (
            "top/link",
            [_info("top/link", tarfile.SYMTYPE, f"{root}/outside"), _info("top/link/pwned.txt")],
        ),
        "symlink out through another symlink": (
            "top/sub/up",
            [
                _info("top/here", tarfile.SYMTYPE, "."),
                _info("top/sub", tarfile.DIRTYPE, mode=0o755),
                _info("top/sub/up", tarfile.SYMTYPE, "../here/.."),
            ],
        ),
        "member below a symlink": (
            "top/alias/pwned.txt",
            [_info("top/alias", tarfile.SYMTYPE, "."), _info("top/alias/pwned.txt")],
        ),
        "hard link out of the tree": (
            "top/hard",
            [_info("top/hard", tarfile.LNKTYPE, "top/../victim.txt")],
        ),
        "absolute hard link": ("top/hard", [_info("top/hard", tarfile.LNKTYPE, victim)]),
        "character device": ("top/null", [_info("top/null", tarfile.CHRTYPE)]),
        "fifo": ("top/pipe", [_info("top/pipe", tarfile.FIFOTYPE)]),
        "outside the top folder": ("elsewhere.txt", [_info("elsewhere.txt")]),
    }


CASES = list(_malicious_cases(Path("/x")))


@pytest.mark.parametrize("case", CASES)
def test_an_unsafe_member_is_refused_by_name_and_nothing_is_written(layout, unpack, case):
    root, dest = layout["root"], layout["dest"]
    member, evil = _malicious_cases(root)[case]
    harmless = (_info("top/ok.txt"), b"fine")
    archive = _tarball(root / "evil.tar.gz", [harmless, *((info, b"pwned") for info in evil)])

    refusal = unpack(archive, dest)

    assert refusal is not None, f"{case}: unpacked without complaint"
    assert f"member {member!r}" in refusal
    assert str(archive) in refusal
    assert list(dest.iterdir()) == []  # not even the harmless member before it
    assert list((root / "outside").iterdir()) == []
    assert not (root / "escape.txt").exists()
    assert (root / "victim.txt").read_bytes() == b"victim"
    assert (root / "victim.txt").stat().st_nlink == 1


def test_a_good_archive_with_in_tree_links_unpacks_byte_identical(layout, unpack):
    root, dest = layout["root"], layout["dest"]
    files = {"top/a.txt": b"alpha\n", "top/sub/dir/b.bin": bytes(range(256)), "top/run.sh": b"#!"}
    members = [(_info("top", tarfile.DIRTYPE, mode=0o755), b"")]
    members += [
        (_info(name, mode=0o755 if name.endswith(".sh") else 0o644), d) for name, d in files.items()
    ]
    links = {
        "top/to-a": "a.txt",
        "top/sub/dir/up-to-a": "../../a.txt",
        "top/proxy-for-sub": "sub",
        "top/via-proxy": "proxy-for-sub/dir/b.bin",
    }
    members += [(_info(name, tarfile.SYMTYPE, target), b"") for name, target in links.items()]
    members.append((_info("top/hard-b", tarfile.LNKTYPE, "top/sub/dir/b.bin"), b""))
    archive = _tarball(root / "good.tar.gz", members)

    assert unpack(archive, dest) is None

    for name, data in files.items():
        assert (dest / name.removeprefix("top/")).read_bytes() == data
    for name, target in links.items():
        assert os.readlink(dest / name.removeprefix("top/")) == target
    assert (dest / "via-proxy").read_bytes() == files["top/sub/dir/b.bin"]
    assert (dest / "sub/dir/up-to-a").read_bytes() == files["top/a.txt"]
    assert (dest / "hard-b").stat().st_ino == (dest / "sub/dir/b.bin").stat().st_ino
    assert os.access(dest / "run.sh", os.X_OK)
    assert list((root / "outside").iterdir()) == []


def test_setuid_bits_and_group_write_are_dropped(layout, unpack):
    root, dest = layout["root"], layout["dest"]
    archive = _tarball(root / "modes.tar.gz", [(_info("top/tool", mode=0o6777), b"x")])

    assert unpack(archive, dest) is None

    assert (dest / "tool").stat().st_mode & 0o7777 == 0o755


@pytest.mark.skipif(not THIRD_PARTY.is_dir(), reason="no ../shared/third_party on this host")
@pytest.mark.parametrize("name", sorted(p.name for p in THIRD_PARTY.glob("*.tar.gz")))
def test_the_shipped_upstream_archives_are_accepted(tmp_path, unpack, name):
    # pulumi-docker's testdata holds in-tree symlinks, which must not be refused.
    assert unpack(THIRD_PARTY / name, tmp_path) is None
    assert any(tmp_path.iterdir())
