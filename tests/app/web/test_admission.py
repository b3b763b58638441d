"""At most so many requests in the app and streams open at once; the excess gets a quick 503."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from werkzeug.test import Client
from werkzeug.wrappers import Response

from dashboard.web.admission import AdmissionLimits, limits_for_threads


class HeldApp:
    """A WSGI app whose /slow requests stay in the app until `release` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.inside = threading.Semaphore(0)

    def __call__(self, environ: dict, start_response: Callable) -> Response:
        if environ["PATH_INFO"] == "/slow":
            self.inside.release()
            self.release.wait(10)
        return Response("done")(environ, start_response)


@pytest.fixture
def held() -> Iterator[HeldApp]:
    app = HeldApp()
    yield app
    app.release.set()


def fill(limits: AdmissionLimits, held: HeldApp, count: int) -> list[threading.Thread]:
    """`count` requests to /slow, each inside the app when this returns."""
    threads = [threading.Thread(target=Client(limits).get, args=("/slow",)) for _ in range(count)]
    for thread in threads:
        thread.start()
        assert held.inside.acquire(timeout=5)
    return threads


def test_request_over_the_cap_is_503_with_retry_after(held: HeldApp):
    limits = AdmissionLimits(held, requests=2, streams=1)
    fill(limits, held, 2)

    response = Client(limits).get("/api/tickets")

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "busy" in response.json["message"]


@pytest.mark.parametrize("probe", ["/health", "/ready"])
def test_probes_are_answered_when_the_cap_is_reached(held: HeldApp, probe: str):
    limits = AdmissionLimits(held, requests=1, streams=1)
    fill(limits, held, 1)

    assert Client(limits).get(probe).status_code == 200


def test_a_request_gets_its_permit_back_when_the_app_returns(held: HeldApp):
    limits = AdmissionLimits(held, requests=1, streams=1)
    threads = fill(limits, held, 1)
    held.release.set()
    threads[0].join(5)

    assert Client(limits).get("/api/tickets").status_code == 200


@pytest.fixture
def two_stream_app(make_app: Callable[..., Flask]) -> Flask:
    """An app whose thread count allows two open live-update streams."""
    threads = next(n for n in range(2, 64) if limits_for_threads(n)["streams"] == 2)
    return make_app(threads=threads)


def open_stream(app: Flask):
    return app.test_client().get("/api/events", buffered=False)


def test_stream_over_the_stream_cap_is_503(two_stream_app: Flask):
    open_streams = [open_stream(two_stream_app) for _ in range(2)]

    response = open_stream(two_stream_app)

    assert [s.status_code for s in open_streams] == [200, 200]
    assert response.status_code == 503 and "streams" in response.json["message"]


def test_open_streams_do_not_count_against_requests(two_stream_app: Flask):
    _streams = [open_stream(two_stream_app) for _ in range(2)]

    response = two_stream_app.test_client().get("/api/tickets")

    assert response.status_code == 200


def test_a_closed_stream_frees_its_place(two_stream_app: Flask):
    streams = [open_stream(two_stream_app) for _ in range(2)]
    streams[0].close()

    assert open_stream(two_stream_app).status_code == 200


@pytest.mark.parametrize("threads", [3, 8, 32])
def test_streams_and_requests_leave_a_thread_for_the_probes(threads: int):
    limits = limits_for_threads(threads)

    assert limits["streams"] + limits["requests"] <= threads - 1
