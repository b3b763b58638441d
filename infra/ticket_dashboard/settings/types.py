"""The field types of the stack settings: how one flat string becomes a typed value.

Pure parsing only: nothing here reads the host or the Pulumi runtime, so the sections,
the README table and the tests can use these without an engine or a Docker SDK.
"""

import ipaddress
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from ticket_dashboard.project import CONFIG_NAMESPACE
from ticket_dashboard.units import MEBIBYTE, parse_memory_bytes

DOCKER_MIN_MEMORY = 6 * MEBIBYTE


def full_key(key: str) -> str:
    return f"{CONFIG_NAMESPACE}:{key}"


def stack_setting(
    key: str, default: Any = ..., *, kind: str, meaning: str = "", app: str | None = None
) -> Any:
    """A field set by the stack key ``key`` (``ticket-dashboard:<key>``), with what the
    README's table shows for it (see table.py). ``app``: the one field of the section's app
    settings class (``Section.APP``) that the key sets; the loader checks the value with that
    field's rules too. Not the app's ``dashboard.envconfig.setting``: this one declares a
    stack key, that one an environment variable."""
    extra: dict[str, Any] = {"kind": kind, "key": key}
    if app is not None:
        extra["app"] = app
    return Field(default, description=meaning, json_schema_extra=extra)


@dataclass(frozen=True)
class PortRange:
    """An inclusive range of host ports, e.g. 3100-3104."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 1 <= self.start <= 65535 or not 1 <= self.end <= 65535:
            raise ValueError(f"ports must lie in 1-65535, got {self}")
        if self.start > self.end:
            raise ValueError(f"the range is inside out: start {self.start} > end {self.end}")

    def ports(self) -> range:
        return range(self.start, self.end + 1)

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.start <= port <= self.end

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"

    @classmethod
    def parse(cls, text: str) -> "PortRange":
        """``"3100-3104"`` or a single ``"3100"``."""
        start, _, end = text.strip().partition("-")
        if not start.isdigit() or (end and not end.isdigit()):
            raise ValueError(f"expected a port range like 3100-3104, got {text!r}")
        return cls(int(start), int(end or start))


def _memory(value: Any) -> int:
    is_bytes = isinstance(value, int) and not isinstance(value, bool)
    size = value if is_bytes else parse_memory_bytes(str(value))
    # The provider takes whole MiB; refusing here beats a silent rounding later.
    if size < DOCKER_MIN_MEMORY or size % MEBIBYTE:
        raise ValueError(
            f"expected a whole number of MiB, at least 6Mi (Docker's minimum), got {value!r}"
        )
    return size


def _port_range(value: Any) -> PortRange:
    return value if isinstance(value, PortRange) else PortRange.parse(str(value))


def _subnet(value: Any) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as error:
        raise ValueError(
            f"expected an IPv4 CIDR like 172.20.0.0/16, got {value!r} ({error})"
        ) from None
    if not network.is_private or network.prefixlen > 29:
        raise ValueError(f"expected a private IPv4 subnet of /29 or larger, got {value!r}")
    return network


def _ip_address(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise ValueError(f"expected an IP address like 127.0.0.1, got {value!r}") from None


def _docker_log_size(value: str) -> str:
    # Passed to Docker unchanged (and read back unchanged), so only its own spelling.
    if not re.fullmatch(r"[1-9]\d*[kmg]", value):
        raise ValueError(f"expected a Docker log size like 10m, 500k or 1g, got {value!r}")
    return value


def _release(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{12}", value):
        raise ValueError(
            f"expected a release id (12 hex digits, as `make releases` lists), got {value!r}"
        )
    return value


MemoryBytes = Annotated[int, BeforeValidator(_memory)]
PortRangeSetting = Annotated[PortRange, BeforeValidator(_port_range)]
Subnet = Annotated[ipaddress.IPv4Network, BeforeValidator(_subnet)]
IpAddress = Annotated[str, AfterValidator(_ip_address)]
DockerLogSize = Annotated[str, AfterValidator(_docker_log_size)]
Release = Annotated[str, AfterValidator(_release)]
Port = Annotated[int, Field(ge=1, le=65535)]
Percent = Annotated[float, Field(gt=0, le=100)]
Cpus = Annotated[float, Field(gt=0, le=64)]
RestartPolicy = Literal["no", "on-failure", "always", "unless-stopped"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
