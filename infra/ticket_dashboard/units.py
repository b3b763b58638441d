"""Sizes, CPU amounts and durations in the exact spellings Docker and the provider use.

The docker provider reads these values back from the engine and compares them with the
program's; writing them the way it reads them is what keeps a second ``up`` diff-free.
"""

import re
from decimal import Decimal

MEBIBYTE = 1024 * 1024

# Docker's units are binary whatever the spelling: 512m == 512Mi == 512 MiB.
_MEMORY_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "ki": 1024,
    "kib": 1024,
    "m": MEBIBYTE,
    "mb": MEBIBYTE,
    "mi": MEBIBYTE,
    "mib": MEBIBYTE,
    "g": 1024 * MEBIBYTE,
    "gb": 1024 * MEBIBYTE,
    "gi": 1024 * MEBIBYTE,
    "gib": 1024 * MEBIBYTE,
}
_MEMORY_PATTERN = re.compile(r"^\s*(\d+)\s*([a-zA-Z]*)\s*$")
MEMORY_FORMAT_HINT = "a memory size like 512Mi, 512m or 1g (binary units, like Docker)"


def parse_memory_bytes(text: str) -> int:
    """``"512Mi"`` -> 536870912. Raises ValueError naming the accepted spellings."""
    match = _MEMORY_PATTERN.match(text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _MEMORY_UNITS:
        raise ValueError(f"expected {MEMORY_FORMAT_HINT}, got {text!r}")
    return int(match.group(1)) * _MEMORY_UNITS[unit]


def whole_mebibytes(size_bytes: int) -> int:
    """The provider takes memory in MiB; refuse sizes it would silently round."""
    if size_bytes % MEBIBYTE:
        raise ValueError(f"{size_bytes} bytes is not a whole number of MiB")
    return size_bytes // MEBIBYTE


def provider_cpus(cpus: float) -> str:
    """The ``cpus`` string as the provider writes it back (``1.0``, ``0.5``, ``0.25``).

    The provider stores NanoCPUs as a decimal string with trailing zeros removed but keeps
    one decimal for whole numbers; any other spelling shows up as a diff on every run.
    """
    nano = round(Decimal(str(cpus)) * 1_000_000_000)
    text = f"{Decimal(nano) / Decimal(1_000_000_000):.9f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def cpu_shares(cpus: float) -> int:
    """A CPU reservation as a relative CFS weight: 1 CPU == Docker's default 1024 shares.

    Plain Docker has no hard CPU reservation; shares give the container its fraction of
    the host when CPUs are contended, which is what a reservation promises. Docker's
    minimum weight is 2.
    """
    return max(2, round(cpus * 1024))


def go_duration(seconds: int) -> str:
    """Seconds as Go's time.Duration.String() (``90`` -> ``1m30s``), how the provider reads
    health-check timings back; ``"90s"`` would differ from the state on every refresh."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"
