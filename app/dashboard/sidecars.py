"""What the backup and monitor jobs last reported, read from the files they write."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from dashboard.backup.status import STATUS_FILE_NAME, STATUS_KEYS

MAX_STATUS_BYTES = 64 * 1024


def read_backup_status(backup_dir: Path) -> dict[str, Any] | None:
    """The backup job's status object (known keys only), None before its first run."""
    found = _read_json_object(backup_dir / STATUS_FILE_NAME)
    if found is None or _is_read_error(found):
        return found
    return {key: found.get(key) for key in STATUS_KEYS}


def read_monitor_heartbeat(path: Path | None, now: datetime) -> dict[str, Any] | None:
    """{"ts", "age_seconds", "state", "replicas"} from the monitor's heartbeat (the service's
    state and each dashboard replica's); None when not configured."""
    if path is None:
        return None
    found = _read_json_object(path)
    if found is None:
        return {"ts": None, "age_seconds": None, "error": f"{path} does not exist yet"}
    if _is_read_error(found):
        return {"ts": None, "age_seconds": None, **found}
    ts = found.get("ts")
    return {
        "ts": ts,
        "age_seconds": _age_seconds(ts, now),
        "state": found.get("state"),
        "replicas": found.get("replicas") or {},
    }


def _age_seconds(ts: Any, now: datetime) -> float | None:
    try:
        moment = datetime.fromisoformat(ts) if isinstance(ts, str) else None
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return round((now - moment).total_seconds(), 3)


def _is_read_error(found: dict[str, Any]) -> bool:
    return set(found) == {"error"}


def _read_json_object(path: Path) -> dict[str, Any] | None:
    """The object in `path`; None if absent; {"error": ...} if it cannot be used."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_STATUS_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        return {"error": f"cannot read {path}: {error.strerror or error}"}
    try:
        found = json.loads(data) if len(data) <= MAX_STATUS_BYTES else None
    except ValueError:
        found = None
    if not isinstance(found, dict):
        return {"error": f"{path} does not hold a JSON object"}
    return found
