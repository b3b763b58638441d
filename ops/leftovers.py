"""`python3 -m bootstrap.leftovers STACK`: after `make down`, say what the stack left behind.

With protectData on (prod), destroy keeps the data and backups volumes (retain_on_delete).
This names them, says why, and gives the command that deletes them on purpose.
"""

from __future__ import annotations

import subprocess
import sys

PROJECT = "ticket-dashboard"


def kept_volumes(stack: str) -> list[str]:
    result = subprocess.run(
        [
            "docker", "volume", "ls", "--quiet",
            "--filter", f"label=project={PROJECT}", "--filter", f"label=stack={stack}",
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return sorted(result.stdout.split())


def report(stack: str, volumes: list[str]) -> str:
    if not volumes:
        return f"make down: nothing of stack {stack} is left in Docker"
    names = " ".join(volumes)
    return (
        f"make down: kept {len(volumes)} volumes of stack {stack} (protectData): {names}\n"
        "  They hold the dashboard's data and every backup archive; the next "
        f"`make up STACK={stack}` uses them again.\n"
        f"  To delete them for good (this cannot be undone): docker volume rm {names}"
    )


if __name__ == "__main__":
    print(report(sys.argv[1], kept_volumes(sys.argv[1])))
