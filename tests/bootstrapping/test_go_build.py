"""A failed Go build never leaves a binary where the CLI would find it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.go_build import build_tool, require_go
from bootstrap.progress import BootstrapError


@pytest.fixture(autouse=True)
def _go_toolchain() -> None:
    # The go bootstrap would use (PATH, else /usr/local/go/bin), not only PATH's.
    try:
        require_go()
    except BootstrapError as missing:
        pytest.fail(f"needs the Go toolchain (bootstrap builds the Pulumi CLI with it): {missing}")


def _module(tmp_path: Path, body: str) -> Path:
    module = tmp_path / "mod"
    module.mkdir()
    (module / "go.mod").write_text("module example.test/hello\n\ngo 1.22\n")
    (module / "main.go").write_text(f"package main\n\nfunc main() {{ {body} }}\n")
    return module


def test_successful_build_lands_the_binary(tmp_path):
    output = tmp_path / "bin" / "hello"
    build_tool(_module(tmp_path, "println(1)"), ".", output, "-s -w")
    assert output.exists()
    assert not list(output.parent.glob(".*partial"))


def test_failed_build_leaves_the_old_binary_untouched(tmp_path):
    output = tmp_path / "bin" / "hello"
    output.parent.mkdir()
    output.write_bytes(b"previous good binary")
    with pytest.raises(BootstrapError) as raised:
        build_tool(_module(tmp_path, "this does not compile"), ".", output, "-s -w")
    assert output.read_bytes() == b"previous good binary"
    assert not list(output.parent.glob(".*partial"))
    assert "make bootstrap" in raised.value.fix


def test_unavailable_module_error_points_at_an_existing_install():
    from bootstrap.go_build import _fix_for

    assert "existing Pulumi install" in _fix_for(
        "403 Forbidden\nThis module version is not available"
    )
