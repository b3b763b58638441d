"""`python3 -m bootstrap [--profile deploy|test] [--stack NAME]`.

deploy: everything `pulumi up` needs (engine, base image, wheelhouse, Pulumi CLI,
        Python language host, docker plugin).
test:   what `make test` needs: the same, since its integration tests deploy a
        throwaway stack with the real `pulumi up`.
Every step is idempotent; a second run rebuilds nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from . import ROOT, base_image, docker_engine, ticket_tree, wheelhouse
from .pins import read_pins
from .progress import BootstrapError, say
from .pulumi_tools import ensure_toolchain


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m bootstrap",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--profile", choices=("deploy", "test"), default="deploy")
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args()
    started = time.monotonic()
    try:
        _run(args.profile, args.stack)
    except BootstrapError as error:
        print(error.render(), file=sys.stderr)
        return 1
    say(f"ready ({args.profile}) in {time.monotonic() - started:.1f}s")
    return 0


def _run(profile: str, stack: str) -> None:
    tools = ROOT / ".tools"
    _link_program_venv()
    ticket_tree.ensure_writable_sample_tree(ROOT, stack)
    docker_engine.ensure_engine(tools / "dockerd.log")
    image = base_image.configured_base(ROOT / f"Pulumi.{stack}.yaml")
    base_image.ensure_base(image)
    python_version = wheelhouse.image_python_version(image)
    wheelhouse.ensure_wheelhouse(
        [ROOT / "app" / "requirements.txt", ROOT / "app" / "requirements-build.txt"],
        ROOT / "app" / "wheelhouse",
        python_version,
    )
    pins = read_pins(ROOT / "requirements.txt")
    chosen = ensure_toolchain(ROOT, pins)
    record = {k: str(v) if v else None for k, v in dataclasses.asdict(chosen).items()}
    tools.mkdir(exist_ok=True)
    (tools / "toolchain.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _link_program_venv() -> None:
    """infra/.venv -> ../.venv. Dynamic providers (pulumi.dynamic) start in the program
    folder (Pulumi.yaml's main: infra/) and resolve the runtime's virtualenv option
    against it, not against the project root as the program itself does."""
    link = ROOT / "infra" / ".venv"
    if not link.is_symlink():
        link.symlink_to(Path("..") / ".venv")


if __name__ == "__main__":
    sys.exit(main())
