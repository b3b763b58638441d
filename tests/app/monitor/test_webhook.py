"""The webhook worker: delivers transitions, retries with backoff, never blocks the caller."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dashboard.monitor.webhook import WebhookNotifier
from tests.app.job_helpers import RecordedRequest, local_http_server
from tests.app.ticket_helpers import wait_until


def _answer(status: int, delay: float = 0.0) -> Callable[[RecordedRequest], tuple[int, Any]]:
    def route(_request: RecordedRequest) -> tuple[int, Any]:
        time.sleep(delay)
        return status, {}

    return route


@pytest.fixture
def notifiers() -> Iterator[list[WebhookNotifier]]:
    """Notifiers created by a test are closed after it."""
    created: list[WebhookNotifier] = []
    yield created
    for notifier in created:
        notifier.close()


def _notifier(notifiers: list[WebhookNotifier], url: str, **options: Any) -> WebhookNotifier:
    notifier = WebhookNotifier(url, timeout_seconds=2, **options)
    notifier.start()
    notifiers.append(notifier)
    return notifier


def test_payloads_are_posted_as_json_in_order(notifiers: list[WebhookNotifier]) -> None:
    with local_http_server({"/hook": _answer(204)}) as server:
        notifier = _notifier(notifiers, f"{server.base_url}/hook")

        notifier.submit({"event": "target_unhealthy", "detail": "HTTP 503"})
        notifier.submit({"event": "target_recovered"})

        assert wait_until(lambda: len(server.requests_to("/hook")) == 2, timeout=5)
        bodies = [json.loads(request.body) for request in server.requests_to("/hook")]
    assert [body["event"] for body in bodies] == ["target_unhealthy", "target_recovered"]
    assert bodies[0]["detail"] == "HTTP 503"


def test_failing_webhook_is_retried_with_exponential_backoff(
    notifiers: list[WebhookNotifier],
) -> None:
    with local_http_server({"/hook": _answer(500)}) as server:
        notifier = _notifier(
            notifiers, f"{server.base_url}/hook", attempts=3, first_backoff_seconds=0.1
        )

        notifier.submit({"event": "target_unhealthy"})

        assert wait_until(lambda: len(server.requests_to("/hook")) == 3, timeout=5)
        time.sleep(0.5)  # room for a wrong fourth attempt to show up
        attempts = server.requests_to("/hook")
    assert len(attempts) == 3
    first_gap = attempts[1].at - attempts[0].at
    second_gap = attempts[2].at - attempts[1].at
    assert first_gap >= 0.1
    assert second_gap >= 0.2


def test_submit_returns_at_once_while_the_webhook_is_slow(
    notifiers: list[WebhookNotifier],
) -> None:
    with local_http_server({"/hook": _answer(500, delay=0.5)}) as server:
        notifier = _notifier(notifiers, f"{server.base_url}/hook")

        started = time.monotonic()
        for number in range(5):
            notifier.submit({"event": f"event-{number}"})
        elapsed = time.monotonic() - started

        notifier.close(timeout_seconds=2)
    assert elapsed < 0.1


def test_a_full_queue_drops_instead_of_blocking(notifiers: list[WebhookNotifier]) -> None:
    with local_http_server({"/hook": _answer(500, delay=0.5)}) as server:
        notifier = _notifier(notifiers, f"{server.base_url}/hook", queue_size=2)
        notifier.submit({"event": "taken-by-the-worker"})
        assert wait_until(lambda: len(server.requests_to("/hook")) == 1, timeout=5)

        accepted = [notifier.submit({"event": f"queued-{number}"}) for number in range(3)]

        notifier.close(timeout_seconds=2)
    assert accepted == [True, True, False]


def test_close_interrupts_a_backoff_wait(notifiers: list[WebhookNotifier]) -> None:
    with local_http_server({"/hook": _answer(500)}) as server:
        notifier = _notifier(notifiers, f"{server.base_url}/hook", first_backoff_seconds=30)
        notifier.submit({"event": "target_unhealthy"})
        assert wait_until(lambda: len(server.requests_to("/hook")) == 1, timeout=5)

        started = time.monotonic()
        notifier.close(timeout_seconds=5)

    assert time.monotonic() - started < 1
