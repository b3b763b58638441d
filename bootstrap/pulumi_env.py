"""The environment every pulumi command of this project runs in.

State lives in a local file backend in the repo (.pulumi-state/) with the
passphrase secrets provider. Dev and throwaway stacks get a documented, non-secret
default passphrase; prod refuses to run without PULUMI_CONFIG_PASSPHRASE.
TD_USE_CURRENT_BACKEND=1 keeps whatever backend the user is logged in to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from .progress import BootstrapError
from .settings import tools_dir

DEV_PASSPHRASE = "ticket-dashboard-dev-not-a-secret"  # noqa: S105 - documented, dev only
PROTECTED_STACKS = frozenset({"prod"})
OPT_OUT = "TD_USE_CURRENT_BACKEND"


def pulumi_env(root: Path, stack: str, environ: Mapping[str, str]) -> dict[str, str]:
    env = dict(environ)
    env.update(_toolchain_env(root, env))
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    if env.get(OPT_OUT) != "1":
        state = root / ".pulumi-state"
        state.mkdir(exist_ok=True)
        env.setdefault("PULUMI_BACKEND_URL", f"file://{state}")
    if "PULUMI_CONFIG_PASSPHRASE" not in env and "PULUMI_CONFIG_PASSPHRASE_FILE" not in env:
        if stack in PROTECTED_STACKS:
            raise BootstrapError(
                f"PULUMI_CONFIG_PASSPHRASE is not set; the {stack} stack's secrets are "
                "encrypted with it and it has no default",
                f"export PULUMI_CONFIG_PASSPHRASE='<the {stack} passphrase>' and re-run",
            )
        env["PULUMI_CONFIG_PASSPHRASE"] = DEV_PASSPHRASE
    return env


def _toolchain_env(root: Path, env: Mapping[str, str]) -> dict[str, str]:
    """PATH and PULUMI_HOME of the toolchain bootstrap chose (<tools>/toolchain.json)."""
    record = tools_dir(root) / "toolchain.json"
    if not record.exists():
        return {}
    chosen = json.loads(record.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    if chosen.get("bin_dir"):
        out["PATH"] = f"{chosen['bin_dir']}:{env.get('PATH', '')}"
    if chosen.get("pulumi_home"):
        out["PULUMI_HOME"] = chosen["pulumi_home"]
    return out
