"""`python3 -m bootstrap.clean`: remove build outputs (`make clean`).

Keeps the built binaries, plugins, .venv and .pulumi-state: only the unpacked sources,
the build trees and the image wheelhouse go, which bootstrap recreates when it needs them.
"""

from __future__ import annotations

import shutil

from . import ROOT
from .progress import say
from .settings import tools_dir


def main() -> None:
    for path in (tools_dir() / "build", tools_dir() / "src", ROOT / "app" / "wheelhouse"):
        if path.exists():
            shutil.rmtree(path)
            say(f"removed {path}")


if __name__ == "__main__":
    main()
