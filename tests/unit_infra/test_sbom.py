"""The SBOM of each build: where it goes, when it is written, and what a failed scan leaves.

syft itself is replaced by a small script here (tests/image and tests/infra run the real
one against a real image).
"""

import json
import stat
import sys
from pathlib import Path

import pytest

from ticket_dashboard.dynamic import sbom
from ticket_dashboard.dynamic.sbom import ImageSbomProvider, SbomFailed, sbom_path, write_sbom
from ticket_dashboard.releases import release_id

from .harness import DYNAMIC_TYPE, IMAGE_TYPE, ProgramRun

IMAGE_ID = "sha256:" + "4d" * 32
REPOSITORY = "ticket-dashboard-dev"
PROPS = {"image_id": IMAGE_ID, "image_name": f"{REPOSITORY}:0123", "path": "/x.cdx.json"}


def _fake_syft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """A syft that runs ``body`` (Python) with its argv; put where the provider looks."""
    script = tmp_path / "bin" / "syft"
    script.parent.mkdir()
    script.write_text(f"#!{sys.executable}\nimport os, sys\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(sbom, "syft_binary", lambda: str(script))
    return script


WRITES_ITS_ARGS = """
target = sys.argv[-1].split("=", 1)[1]
open(target, "w").write(__import__("json").dumps(
    {"argv": sys.argv[1:], "update_check": os.environ.get("SYFT_CHECK_FOR_APP_UPDATE")}))
"""


def test_an_sbom_is_kept_per_release_under_the_stack_repository(tmp_path: Path) -> None:
    path = sbom_path(REPOSITORY, IMAGE_ID, tmp_path)
    assert path == tmp_path / REPOSITORY / f"{release_id(IMAGE_ID)}.cdx.json"


def test_syft_scans_the_image_by_id_into_cyclonedx_json_without_asking_for_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_syft(tmp_path, monkeypatch, WRITES_ITS_ARGS)
    path = tmp_path / "sbom" / REPOSITORY / "x.cdx.json"
    write_sbom(IMAGE_ID, f"{REPOSITORY}:0123", path)
    written = json.loads(path.read_text())
    assert written["argv"][:2] == ["scan", f"docker:{IMAGE_ID}"]
    assert written["argv"][-1] == f"cyclonedx-json={path}.partial"
    assert written["update_check"] == "false"
    assert not path.with_name(path.name + ".partial").exists()


def test_a_failed_scan_leaves_no_sbom_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_syft(
        tmp_path, monkeypatch, "print('could not fetch image', file=sys.stderr)\nsys.exit(1)"
    )
    path = tmp_path / "x.cdx.json"
    with pytest.raises(SbomFailed) as raised:
        write_sbom(IMAGE_ID, f"{REPOSITORY}:0123", path)
    message = str(raised.value)
    assert "could not fetch image" in message and IMAGE_ID in message
    assert "make up" in message
    assert list(tmp_path.glob("x.cdx.json*")) == []


def test_a_missing_syft_names_the_install(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SbomFailed, match="make venv"):
        sbom.syft_binary()


def test_the_sbom_is_written_again_only_for_a_new_image() -> None:
    provider = ImageSbomProvider()
    assert not provider.diff("p", PROPS, dict(PROPS)).changes
    assert not provider.diff("p", PROPS, {**PROPS, "image_name": f"{REPOSITORY}:4567"}).changes
    assert provider.diff("p", PROPS, {**PROPS, "image_id": "sha256:" + "5e" * 32}).changes


def test_the_program_writes_the_builds_sbom_beside_the_image(deployed: ProgramRun) -> None:
    (found,) = [r for r in deployed.mocks.of_type(DYNAMIC_TYPE) if r.name == "image-sbom"]
    (image,) = deployed.mocks.of_type(IMAGE_TYPE)
    repository = image.inputs["imageName"].partition(":")[0]
    assert found.inputs["image_id"] == deployed.exports["image"]
    assert found.inputs["path"] == str(sbom_path(repository, deployed.exports["image"]))
