"""`python3 -m bootstrap.run STACK -- COMMAND...`: run COMMAND in the stack's pulumi env."""

from __future__ import annotations

import os
import sys

from . import ROOT
from .progress import BootstrapError
from .pulumi_env import pulumi_env


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python3 -m bootstrap.run STACK -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    try:
        env = pulumi_env(ROOT, argv[0], os.environ)
    except BootstrapError as error:
        print(error.render(), file=sys.stderr)
        return 1
    # exec, not a child: signals and the exit code are the command's own.
    os.execvpe(argv[2], argv[2:], env)  # noqa: S606 - argv from the Makefile, no shell
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
