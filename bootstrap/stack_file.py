"""One setting of a Pulumi.<stack>.yaml, read before the venv (and a YAML parser) exists.

Only plain scalars are read; the program validates the whole file properly.
"""

from __future__ import annotations

import re
from pathlib import Path


def stack_setting(stack_file: Path, key: str) -> str | None:
    """The value of ``ticket-dashboard:<key>`` in ``stack_file``, or None."""
    if not stack_file.exists():
        return None
    pattern = re.compile(
        rf"^\s+ticket-dashboard:{re.escape(key)}:\s*['\"]?([^'\"#]*?)['\"]?\s*(#.*)?$"
    )
    for line in stack_file.read_text(encoding="utf-8").splitlines():
        match = pattern.match(line)
        if match:
            return match.group(1)
    return None
