"""The running release has its CycloneDX SBOM, and it lists the image's Python packages."""

from __future__ import annotations

import json
import re

import pytest

from ticket_dashboard.dynamic.sbom import sbom_dir, sbom_path
from ticket_dashboard.naming import stack_naming
from ticket_dashboard.project import APP_DIR

pytestmark = pytest.mark.docker


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503, as syft and pip spell names


def _image_pins() -> dict[str, str]:
    """app/requirements.txt: every package the image installs, at its pinned version."""
    lines = (APP_DIR / "requirements.txt").read_text().splitlines()
    pins = [line.strip().partition("==") for line in lines if line.strip()[:1].isalnum()]
    return {_normalized(name): version for name, _, version in pins}


def test_the_running_release_has_a_cyclonedx_sbom_of_the_apps_python_packages(deployed):
    repository = stack_naming(deployed.name).image_repository
    path = sbom_path(repository, deployed.outputs["image"], sbom_dir(deployed.project_dir))
    assert path.is_file(), f"no SBOM of the running release at {path}"
    document = json.loads(path.read_text())
    assert document["bomFormat"] == "CycloneDX" and document["specVersion"].startswith("1.")
    packages = {
        _normalized(component["name"]): component.get("version")
        for component in document["components"]
        if component.get("purl", "").startswith("pkg:pypi/")
    }
    missing = {name: pin for name, pin in _image_pins().items() if packages.get(name) != pin}
    assert not missing, f"the SBOM lacks these pins of app/requirements.txt: {missing}"
