"""`python3 -m bootstrap.tool NAME [ARGS...]`: run a Go tool bootstrap built (actionlint, vegeta).

make runs the tools through this, so their folder is written only in pyproject.toml.
"""

from __future__ import annotations

import os
import sys

from .profiles import profile_building
from .progress import BootstrapError
from .settings import settings, tools_bin


def main(argv: list[str]) -> int:
    try:
        known = settings().go_tools
    except BootstrapError as error:
        print(error.render(), file=sys.stderr)
        return 1
    if not argv or argv[0] not in known:
        print(f"usage: python3 -m bootstrap.tool {{{','.join(known)}}} [ARGS...]", file=sys.stderr)
        return 2
    binary = tools_bin() / argv[0]
    if not binary.exists():
        print(
            f"bootstrap: {binary} is not built\n"
            f"  fix: python3 -m bootstrap --profile {profile_building(argv[0])}",
            file=sys.stderr,
        )
        return 1
    # exec, not a child: the exit code and signals are the tool's own.
    os.execv(binary, [str(binary), *argv[1:]])  # noqa: S606 - argv from the Makefile
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
