"""The modules the dynamic resources lived in before infra/ was laid out by role.

Pulumi stores a dynamic resource's provider in its state, pickled by dill, which pickles a
class of an importable module by reference: the state of a stack deployed earlier says
``ticket_dashboard.pids_limit.PidsLimitProvider``. The engine deletes and reads a resource
with the provider from its state (a new ``up`` leaves it there while nothing else
changes), so those names must keep importing: each hands on the names of the module of
today (``tests/unit_infra/test_former_paths.py`` unpickles one).
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

FORMER_PATHS = {
    f"ticket_dashboard.{name}": f"ticket_dashboard.dynamic.{name}"
    for name in ("health_gate", "pids_limit", "name_token", "release_pruning", "sbom")
}
"""Former module -> where it lives now."""


class _FormerPathFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports a former path as a small module that hands on every name of the new one."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in FORMER_PATHS:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def exec_module(self, module: ModuleType) -> None:
        current = importlib.import_module(FORMER_PATHS[module.__name__])
        # A module-level __getattr__ (PEP 562), not a method: ModuleType declares one.
        module.__getattr__ = lambda name: getattr(current, name)  # type: ignore[method-assign]


def install() -> None:
    """Let the former paths import (once per process, whoever asks first)."""
    if not any(isinstance(finder, _FormerPathFinder) for finder in sys.meta_path):
        sys.meta_path.append(_FormerPathFinder())
