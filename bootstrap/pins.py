"""The versions the whole bootstrap follows, read from requirements.txt.

The Pulumi CLI must equal the `pulumi` SDK pin and the docker plugin the
`pulumi-docker` pin, so there is one place to bump them. The binaries learn their
version from the linker (``-X``), whichever source builds them: the flags are here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SDK_VERSION_VAR = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
"""The CLI and the language host report this; the CLI compares plugin versions with it."""
PROVIDER_VERSION_VAR = "github.com/pulumi/pulumi-docker/provider/v5/pkg/version.Version"

_PIN = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s#;]+)")


@dataclass(frozen=True)
class Pins:
    pulumi: str
    pulumi_docker: str


def read_pins(requirements: Path) -> Pins:
    found: dict[str, str] = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    missing = [name for name in ("pulumi", "pulumi-docker") if name not in found]
    if missing:
        raise ValueError(f"{requirements}: no exact pin (name==version) for {', '.join(missing)}")
    return Pins(pulumi=found["pulumi"], pulumi_docker=found["pulumi-docker"])


def engine_ldflags(pulumi_version: str) -> str:
    """Linker flags of the CLI and the language host (``v``-prefixed, as upstream tags)."""
    return f"-s -w -X {SDK_VERSION_VAR}=v{pulumi_version}"


def provider_ldflags(pulumi_docker_version: str) -> str:
    """Linker flags of the docker resource plugin (unprefixed, as its plugin version)."""
    return f"-s -w -X {PROVIDER_VERSION_VAR}={pulumi_docker_version}"
