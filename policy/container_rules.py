"""The container security baseline as plain checks over a resource's input properties.

Each rule takes the property mapping the policy engine hands over for a
``docker:index/container:Container`` (camelCase keys, e.g. ``readOnly``, ``memorySwap``)
and returns the violations it found, so the rules are testable without an engine. They
mirror infra/ticket_dashboard/containers/hardened.py.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CONTAINER_TYPE = "docker:index/container:Container"

Props = Mapping[str, Any]

_DOCKER_SOCKET_PATHS = frozenset(
    {"/", "/run", "/var/run", "/run/docker.sock", "/var/run/docker.sock"}
)
_ROOT_USERS = frozenset({"", "0", "root"})


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check: Callable[[Props], list[str]]


def _sequence(value: Any) -> Sequence[Any]:
    # The engine's proxies are Sequences/Mappings, not lists/dicts: test by ABC.
    return value if isinstance(value, Sequence) and not isinstance(value, str) else ()


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def not_privileged(props: Props) -> list[str]:
    if props.get("privileged"):
        return ["runs privileged: the container would hold every capability of the host"]
    return []


def user_not_root(props: Props) -> list[str]:
    user = str(props.get("user") or "")
    if user.split(":", 1)[0].strip() in _ROOT_USERS:
        return [f"runs as root (user {user!r}); set user to an unprivileged uid:gid"]
    return []


def read_only_root_filesystem(props: Props) -> list[str]:
    if props.get("readOnly") is not True:
        return ["root filesystem is writable; set read_only and give it a tmpfs for scratch"]
    return []


def memory_limited_without_swap(props: Props) -> list[str]:
    memory = props.get("memory")
    if not isinstance(memory, int | float) or memory <= 0:
        return ["has no memory limit; set memory (MiB)"]
    if props.get("memorySwap") != memory:
        return [f"memory_swap {props.get('memorySwap')!r} differs from memory {memory!r}"]
    return []


def drops_all_capabilities(props: Props) -> list[str]:
    drops = _sequence(_mapping(props.get("capabilities")).get("drops"))
    if not any(str(cap).upper() == "ALL" for cap in drops):
        return ["keeps Linux capabilities; set capabilities.drops to ['ALL']"]
    return []


def no_new_privileges(props: Props) -> list[str]:
    options = [str(option).replace("=", ":") for option in _sequence(props.get("securityOpts"))]
    if not any(option in ("no-new-privileges", "no-new-privileges:true") for option in options):
        return ["may gain privileges (setuid); add security_opts no-new-privileges"]
    return []


def no_docker_socket(props: Props) -> list[str]:
    sources = [_mapping(mount).get("source") for mount in _sequence(props.get("mounts"))]
    sources += [_mapping(volume).get("hostPath") for volume in _sequence(props.get("volumes"))]
    exposed = [str(source) for source in sources if source and _exposes_socket(str(source))]
    return [f"mounts {source}, which exposes the Docker socket" for source in exposed]


def _exposes_socket(path: str) -> bool:
    normalized = "/" + path.strip().strip("/")
    return normalized in _DOCKER_SOCKET_PATHS or normalized.endswith("docker.sock")


_SCRATCH_MOUNT_OPTIONS = frozenset({"noexec", "nosuid", "nodev"})


def scratch_is_inert(props: Props) -> list[str]:
    # The only writable place in a read-only container must not run or hold anything:
    # no binaries, no setuid, no device nodes.
    found = []
    for path, options in _mapping(props.get("tmpfs")).items():
        missing = _SCRATCH_MOUNT_OPTIONS - set(str(options).split(","))
        if missing:
            found.append(f"tmpfs {path} lacks {', '.join(sorted(missing))}")
    return found


def has_healthcheck(props: Props) -> list[str]:
    tests = [str(part) for part in _sequence(_mapping(props.get("healthcheck")).get("tests"))]
    if not tests or tests[0].upper() == "NONE":
        return ["has no health check; declare healthcheck.tests"]
    return []


def rotates_logs(props: Props) -> list[str]:
    options = _mapping(props.get("logOpts"))
    if props.get("logDriver") != "json-file" or not {"max-size", "max-file"} <= options.keys():
        return ["logs grow unbounded; use log_driver json-file with max-size and max-file"]
    return []


RULES: tuple[Rule, ...] = (
    Rule("container-not-privileged", "Containers must not run privileged.", not_privileged),
    Rule("container-user-not-root", "Containers must run as a non-root user.", user_not_root),
    Rule(
        "container-read-only-rootfs",
        "Containers must have a read-only root filesystem.",
        read_only_root_filesystem,
    ),
    Rule(
        "container-memory-limit",
        "Containers must have a memory limit, with memory_swap equal to it.",
        memory_limited_without_swap,
    ),
    Rule(
        "container-drop-all-capabilities",
        "Containers must drop all Linux capabilities.",
        drops_all_capabilities,
    ),
    Rule(
        "container-no-new-privileges",
        "Containers must set no-new-privileges.",
        no_new_privileges,
    ),
    Rule(
        "container-no-docker-socket",
        "Containers must not mount the Docker socket.",
        no_docker_socket,
    ),
    Rule(
        "container-scratch-inert",
        "Container tmpfs mounts must be noexec, nosuid and nodev.",
        scratch_is_inert,
    ),
    Rule("container-healthcheck", "Containers must declare a health check.", has_healthcheck),
    Rule("container-log-rotation", "Container logs must rotate (json-file).", rotates_logs),
)


def violations(props: Props) -> dict[str, list[str]]:
    """Rule name -> violations, for every rule that fails."""
    found = {rule.name: rule.check(props) for rule in RULES}
    return {name: messages for name, messages in found.items() if messages}
