"""What the image built from app/ expects: commands, in-container paths, ports, env names.

This is the contract with the application; the components only combine these facts with
the stack's settings.
"""

import pulumi

DASHBOARD_COMMAND = ("python", "-m", "dashboard")
BACKUP_COMMAND = ("python", "-m", "dashboard.backup", "daemon")
MONITOR_COMMAND = ("python", "-m", "dashboard.monitor")

CONTAINER_PORT = 8000
"""The dashboard listens here inside its container (DASHBOARD_PORT)."""

RUNTIME_UID = 1001
RUNTIME_GID = 1001
"""The image's unprivileged user; every container runs as it."""

TICKETS_PATH = "/tickets"
DATA_PATH = "/data"
BACKUPS_PATH = "/backups"
SCRATCH_PATH = "/tmp"  # noqa: S108 - a private tmpfs inside the container, not the host's /tmp

MONITOR_STATUS_PATH = "/monitor"
"""A small volume the monitor writes and the dashboard reads (read-only)."""

MONITOR_HEARTBEAT_FILE = f"{MONITOR_STATUS_PATH}/heartbeat.json"
"""The monitor rewrites this every tick; its health check reads the file's age and the
dashboard shows it in /api/status."""

HEALTHCHECK_COMMAND = ("python", "-m", "dashboard.healthcheck")
"""The image's own probe (no curl in the image): GET /health, or ``--file`` age."""

# Environment variable names read by the application.
ENV_TICKETS_DIR = "DASHBOARD_TICKETS_DIR"
ENV_DATA_DIR = "DASHBOARD_DATA_DIR"
ENV_BACKUP_DIR = "DASHBOARD_BACKUP_DIR"
ENV_PORT = "DASHBOARD_PORT"
ENV_LOG_LEVEL = "DASHBOARD_LOG_LEVEL"
ENV_API_TOKEN = "DASHBOARD_API_TOKEN"  # noqa: S105 - a variable name, not a password
ENV_ORGANIZE_COMPLETED = "DASHBOARD_ORGANIZE_COMPLETED"
ENV_TICKETS_READ_ONLY = "DASHBOARD_TICKETS_READ_ONLY"
ENV_WATCH = "DASHBOARD_WATCH"
ENV_WATCH_POLLING = "DASHBOARD_WATCH_POLLING"
ENV_DRAIN_SECONDS = "DASHBOARD_DRAIN_SECONDS"
ENV_BACKUP_SCHEDULE = "DASHBOARD_BACKUP_SCHEDULE"
ENV_BACKUP_RETENTION_DAYS = "DASHBOARD_BACKUP_RETENTION_DAYS"
ENV_BACKUP_ON_START = "DASHBOARD_BACKUP_ON_START"
ENV_MONITOR_TARGET_URL = "DASHBOARD_MONITOR_TARGET_URL"
ENV_MONITOR_REPLICA_URLS = "DASHBOARD_MONITOR_REPLICA_URLS"
ENV_MONITOR_INTERVAL_SECONDS = "DASHBOARD_MONITOR_INTERVAL_SECONDS"
ENV_MONITOR_CPU_THRESHOLD = "DASHBOARD_MONITOR_CPU_THRESHOLD_PERCENT"
ENV_MONITOR_MEMORY_THRESHOLD = "DASHBOARD_MONITOR_MEMORY_THRESHOLD_PERCENT"
ENV_MONITOR_WEBHOOK_URL = "DASHBOARD_MONITOR_WEBHOOK_URL"
ENV_MONITOR_HEARTBEAT_FILE = "DASHBOARD_MONITOR_HEARTBEAT_FILE"
# The monitor reads its own prefix, so its log level is not DASHBOARD_LOG_LEVEL.
ENV_MONITOR_LOG_LEVEL = "DASHBOARD_MONITOR_LOG_LEVEL"


def env_flag(value: bool) -> str:
    """Booleans as the application parses them."""
    return "true" if value else "false"


def secret_env(name: str, value: pulumi.Output[str]) -> pulumi.Output[str]:
    """``NAME=value`` kept secret: apply() on a secret stays secret, so the engine encrypts
    this entry (and masks the whole env list in plans and state)."""
    secret: pulumi.Output[str] = pulumi.Output.secret(value)
    return secret.apply(lambda plain: f"{name}={plain}")


def env_list(values: dict[str, str]) -> list[str]:
    """``KEY=value`` strings in a stable order, so the plan never reorders them."""
    return [f"{key}={values[key]}" for key in sorted(values)]
