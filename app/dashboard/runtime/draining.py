"""Whether this server is draining: stopping after SIGTERM, but still serving meanwhile.

The flag is set by gunicorn's arbiter, which gets the SIGTERM (it is PID 1 of the
container), and read by /ready in the worker, another process. So it is one byte of
anonymous shared memory: mapped before the worker is forked, the same page in both
processes, with no file (the root file system is read-only) and no lock (one writer, and
one byte is written whole).
"""

from __future__ import annotations

import mmap


class DrainFlag:
    def __init__(self) -> None:
        self._byte = mmap.mmap(-1, 1)  # fd -1: MAP_SHARED | MAP_ANONYMOUS, kept across fork

    def set(self) -> None:
        self._byte[0] = 1

    def is_set(self) -> bool:
        return self._byte[0] == 1
