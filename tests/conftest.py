"""The one real deployment that tests/infra and tests/integration share.

By default it is a throwaway stack, deployed once per session with the real `pulumi up`
and destroyed at the end even when a step failed. `--stack NAME` (what `make verify
STACK=NAME` passes) points the same tests at an already deployed stack instead and
leaves it standing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import deployment as stacks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stack",
        default=None,
        help="verify this deployed stack instead of deploying a throwaway one",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """tests/integration last, whatever the command line's order: it stops, kills,
    redeploys and edits the stack, while tests/infra reads it as first deployed."""
    integration = Path(__file__).parent / "integration"
    items.sort(key=lambda item: integration in Path(item.path).parents)


@pytest.fixture(scope="session")
def progress(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """A line on the terminal as a long step starts or ends, past pytest's capture."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    started = time.monotonic()

    def say(message: str) -> None:
        line = f"[{time.monotonic() - started:5.0f}s] {message}"
        if reporter is None or capture is None:
            print(line, flush=True)
            return
        with capture.global_and_fixture_disabled():
            # After -q's dots, which the reporter's own ensure_newline does not see.
            if getattr(getattr(reporter, "_tw", None), "width_of_current_line", 0):
                reporter.write("\n")
            reporter.write_line(line)

    return say


@pytest.fixture(scope="session")
def deployed(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    progress: Callable[[str], None],
) -> Iterator[stacks.Deployment]:
    existing = request.config.getoption("--stack")
    if existing:
        yield stacks.select_existing(existing)
        return
    throwaway = stacks.create_throwaway(tmp_path_factory.mktemp("stack"))
    try:
        progress(f"deploying throwaway stack {throwaway.name} (pulumi up) ...")
        throwaway.up()
        progress(f"{throwaway.name} is up at {throwaway.outputs['url']}")
        yield throwaway
    finally:
        progress(f"destroying throwaway stack {throwaway.name} ...")
        stacks.teardown(throwaway)
        progress(f"{throwaway.name} destroyed")
