"""The one real deployment that tests/infra and tests/integration share.

By default it is a throwaway stack, deployed once per session with the real `pulumi up`
and destroyed at the end even when a step failed. `--stack NAME` (what `make verify
STACK=NAME` passes) points the same tests at an already deployed stack instead and
leaves it standing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import deployment as stacks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stack",
        default=None,
        help="verify this deployed stack instead of deploying a throwaway one",
    )


@pytest.fixture(scope="session")
def deployed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[stacks.Deployment]:
    existing = request.config.getoption("--stack")
    if existing:
        yield stacks.select_existing(existing)
        return
    throwaway = stacks.create_throwaway(tmp_path_factory.mktemp("stack"))
    try:
        print(f"\ndeploying throwaway stack {throwaway.name} (pulumi up) ...", flush=True)
        throwaway.up()
        yield throwaway
    finally:
        print(f"\ndestroying throwaway stack {throwaway.name} ...", flush=True)
        stacks.teardown(throwaway)
