"""The stand-in a worker serves while it builds the app: alive at once, the app after."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from dashboard.runtime.warmup import WarmingUp


def built_app(environ: dict, start_response) -> Response:
    return Response("from the app", status=200)(environ, start_response)


@pytest.fixture
def build_gate() -> Iterator[threading.Event]:
    gate = threading.Event()
    yield gate
    gate.set()


@pytest.fixture
def warming(build_gate: threading.Event) -> WarmingUp:
    """A stand-in whose app is built only once `build_gate` is set."""
    return WarmingUp(lambda: build_gate.wait(10) and built_app, on_failure=lambda: None).start()


def test_health_is_200_while_the_app_is_built(warming: WarmingUp):
    response = Client(warming).get("/health")

    assert (response.status_code, response.json) == (200, {"status": "ok"})


@pytest.mark.parametrize("path", ["/ready", "/api/tickets", "/"])
def test_other_paths_are_503_with_retry_after_while_the_app_is_built(warming: WarmingUp, path: str):
    response = Client(warming).get(path)

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "starting" in response.json["message"]


def test_requests_go_to_the_app_once_built(warming: WarmingUp, build_gate: threading.Event):
    build_gate.set()
    assert warming.wait_built(5)

    response = Client(warming).get("/ready")

    assert response.get_data(as_text=True) == "from the app"


def test_a_failed_build_calls_on_failure():
    failed = threading.Event()

    def broken_build():
        raise ImportError("no flask here")

    WarmingUp(broken_build, on_failure=failed.set).start()

    assert failed.wait(5)
