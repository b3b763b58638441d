"""`python3 -m bootstrap [--profile venv|lint|deploy|test|bench] [--stack NAME]`.

venv:   the project virtualenv (.venv) from requirements.txt
lint:   venv + actionlint
deploy: venv + everything `pulumi up` needs (sample tree access, engine, base image,
        wheelhouse, Pulumi CLI, Python language host, docker plugin)
test:   deploy + chromium/chromedriver and actionlint: `make test` deploys a throwaway
        stack with the real `pulumi up`, drives a real browser and lints the workflows
bench:  test + wrk, docker-compose and vegeta
Every step is idempotent; a second run rebuilds nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time

from . import ROOT, base_image, dev_tools, docker_engine, proxy_image, ticket_tree, venv, wheelhouse
from .pins import read_pins
from .profiles import PROFILES
from .progress import BootstrapError, say
from .pulumi_tools import ensure_toolchain
from .settings import settings, tools_bin, tools_dir


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m bootstrap",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--profile", choices=tuple(PROFILES), default="deploy")
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


def _run(name: str, stack: str) -> None:
    profile = PROFILES[name]
    rerun = f"python3 -m bootstrap --profile {name}"
    if profile.deploy:
        rerun += f" --stack {stack}"
    venv.ensure_venv(ROOT, rerun)
    if profile.deploy:
        _deploy_host(stack)
    dev_tools.ensure_apt_tools(profile.apt_tools)
    dev_tools.ensure_go_tools(profile.go_tools, settings().go_tools, tools_bin(), rerun)


def _deploy_host(stack: str) -> None:
    tools = tools_dir()
    ticket_tree.ensure_writable_sample_tree(ROOT, stack)
    docker_engine.ensure_engine(tools / "dockerd.log")
    image = base_image.configured_base(ROOT / f"Pulumi.{stack}.yaml")
    base_image.ensure_base(image)
    proxy_image.ensure_proxy_base(settings().proxy_image)
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


if __name__ == "__main__":
    sys.exit(main())
