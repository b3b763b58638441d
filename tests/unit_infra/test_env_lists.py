"""The containers' env lists, byte for byte, as they were before the settings contract
(issue 18) rendered them from the app's settings classes: an upgrade replaces no container.

``data/env_lists.json`` was captured from the program before that change; regenerate it
only for a change that means to alter a container's environment:
``ENV_LISTS_CAPTURE=1 pytest tests/unit_infra/test_env_lists.py``. The release id and
the name token in the replicas' names stand as ``RELEASE-N``: the first is app/'s hash, which
any change there moves, the second counts the names the mocks have handed out.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import rpc

from .harness import deployable_config, run_program, unwrap_secrets

EXPECTED = Path(__file__).parent / "data" / "env_lists.json"
RELEASE_ID = re.compile(r"-dashboard-[0-9a-f]{12}-\d{4}-")
WEBHOOK = "https://hooks.example.test/T000/B000/XXXXSECRET"

# Beside the two stack files, one that sets every role's settings off their defaults.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "dev": ("dev", {}),
    "prod": ("prod", {}),
    "prod-custom": (
        "prod",
        {
            "ticket-dashboard:backupSchedule": "@hourly",
            "ticket-dashboard:backupRetentionDays": "3650",
            "ticket-dashboard:backupOnStart": "true",
            "ticket-dashboard:monitorIntervalSeconds": "5",
            "ticket-dashboard:monitorCpuThresholdPercent": "82.5",
            "ticket-dashboard:monitorMemoryThresholdPercent": "100",
            "ticket-dashboard:monitorWebhookUrl": WEBHOOK,
            "ticket-dashboard:ticketsReadOnly": "true",
            "ticket-dashboard:organizeCompleted": "false",
            "ticket-dashboard:watch": "false",
            "ticket-dashboard:watchPolling": "true",
            "ticket-dashboard:logLevel": "WARNING",
        },
    ),
}


def _env_lists(monkeypatch: pytest.MonkeyPatch, variant: str, tickets_dir: Path) -> dict:
    stack, overrides = VARIANTS[variant]
    config, secret_keys = deployable_config(stack, tickets_dir)
    config.update(overrides)
    if "ticket-dashboard:monitorWebhookUrl" in overrides:
        secret_keys = (*secret_keys, "ticket-dashboard:monitorWebhookUrl")
    run = run_program(monkeypatch, stack, config, secret_keys=secret_keys)
    if run.error is not None:
        raise run.error
    return {
        container.name: {
            "secret": rpc.is_rpc_secret(container.inputs["envs"]),
            "envs": [
                RELEASE_ID.sub("-dashboard-RELEASE-N-", entry)
                for entry in unwrap_secrets(container.inputs)["envs"]
            ],
        }
        for container in run.containers()
        if not container.name.startswith("proxy")
    }


@pytest.mark.parametrize("variant", VARIANTS)
def test_env_lists_are_byte_identical_to_before_the_contract(
    monkeypatch: pytest.MonkeyPatch, tickets_dir: Path, variant: str
) -> None:
    actual = _env_lists(monkeypatch, variant, tickets_dir)
    recorded = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    if os.environ.get("ENV_LISTS_CAPTURE"):
        recorded[variant] = actual
        EXPECTED.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
    assert actual == recorded[variant]
