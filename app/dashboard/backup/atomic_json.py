"""Writing small JSON documents that other processes read while we write them."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_json_atomically(path: Path, document: dict[str, Any], mode: int = 0o644) -> None:
    """Replace ``path`` with ``document`` so that a reader sees the old or the new file,
    never half of one: write a temporary file in the same folder (same filesystem, so
    the rename is atomic), flush it to disk, then rename it over the target.

    ``mode`` defaults to world-readable because the readers (the dashboard, a container
    healthcheck) may run as another user.
    """
    fd, temporary_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=2)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
            os.fchmod(stream.fileno(), mode)
        os.replace(temporary_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary_name)
        raise
