"""The versions the whole bootstrap follows, read from requirements.txt.

The Pulumi CLI must equal the `pulumi` SDK pin and the docker plugin the
`pulumi-docker` pin, so there is one place to bump them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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
