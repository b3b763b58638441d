"""pyproject.toml's [tool.ticket-dashboard] table: the one place of the shared facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap.progress import BootstrapError
from bootstrap.settings import read_settings, settings, tools_bin, tools_dir

TABLE = """
[tool.ticket-dashboard]
default-base-image = "base:1"
proxy-image = "proxy:1"
tools-dir = ".t"

[tool.ticket-dashboard.go-tools]
lint = "example.test/lint/cmd/lint@v1.2.3"
"""


def _pyproject(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    return path


def test_the_table_is_read_into_settings(tmp_path):
    read = read_settings(_pyproject(tmp_path, TABLE))
    assert read.default_base_image == "base:1"
    assert read.proxy_image == "proxy:1"
    assert read.tools_dir == ".t"
    assert read.go_tools == {"lint": "example.test/lint/cmd/lint@v1.2.3"}


def test_a_missing_key_is_named(tmp_path):
    text = TABLE.replace('tools-dir = ".t"\n', "")
    with pytest.raises(BootstrapError) as raised:
        read_settings(_pyproject(tmp_path, text))
    assert "tools-dir" in raised.value.what
    assert "[tool.ticket-dashboard]" in raised.value.what


def test_a_go_pin_without_a_version_is_refused(tmp_path):
    text = TABLE.replace("@v1.2.3", "")
    with pytest.raises(BootstrapError, match="package@version"):
        read_settings(_pyproject(tmp_path, text))


def test_the_tools_folder_is_relative_to_the_repository_given(tmp_path):
    assert tools_dir(tmp_path) == tmp_path / settings().tools_dir
    assert tools_bin(tmp_path) == tools_dir(tmp_path) / "bin"


def test_the_program_reads_the_same_default_base_image():
    from ticket_dashboard.project import DEFAULT_BASE_IMAGE

    assert settings().default_base_image == DEFAULT_BASE_IMAGE
