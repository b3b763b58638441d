"""Posting transitions to an optional webhook without ever holding up the poll loop."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

import requests

logger = logging.getLogger(__name__)


class WebhookNotifier:
    """Delivers JSON payloads from a bounded queue on one background thread.

    ``submit`` never blocks: when the queue is full (the webhook has been down for a
    long time) the payload is dropped and logged, because the log line already holds
    the same information. Each payload gets ``attempts`` tries with exponential backoff
    (``first_backoff_seconds``, then double that, ...). Payloads still queued at
    ``close`` are dropped.
    """

    def __init__(
        self,
        url: str,
        timeout_seconds: float,
        attempts: int = 3,
        first_backoff_seconds: float = 1.0,
        queue_size: int = 100,
        session: requests.Session | None = None,
    ) -> None:
        self._url = url
        self._timeout_seconds = timeout_seconds
        self._attempts = attempts
        self._first_backoff_seconds = first_backoff_seconds
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=queue_size)
        self._session = session or requests.Session()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._deliver_until_closed, name="webhook")
        # Daemon: a webhook stuck in a slow POST must not keep the process alive on exit.
        self._worker.daemon = True

    def start(self) -> None:
        self._worker.start()

    def submit(self, payload: dict[str, Any]) -> bool:
        """Queue ``payload``; False if the queue was full and it was dropped."""
        try:
            self._queue.put_nowait(payload)
        except queue.Full:
            logger.warning("webhook queue full, dropped a notification", extra=_summary(payload))
            return False
        return True

    def close(self, timeout_seconds: float = 2.0) -> None:
        self._stop.set()
        self._worker.join(timeout_seconds)

    def _deliver_until_closed(self) -> None:
        while not self._stop.is_set():
            try:
                payload = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            self._deliver(payload)

    def _deliver(self, payload: dict[str, Any]) -> None:
        for attempt in range(1, self._attempts + 1):
            error = self._post(payload)
            if error is None:
                return
            logger.warning(
                "webhook attempt failed",
                extra={"attempt": attempt, "error": error, **_summary(payload)},
            )
            backoff = self._first_backoff_seconds * 2 ** (attempt - 1)
            if attempt < self._attempts and self._stop.wait(backoff):
                return  # closing: give up rather than delay shutdown
        logger.error(
            "webhook delivery gave up", extra={"attempts": self._attempts, **_summary(payload)}
        )

    def _post(self, payload: dict[str, Any]) -> str | None:
        """None on a 2xx answer, else what went wrong."""
        try:
            response = self._session.post(self._url, json=payload, timeout=self._timeout_seconds)
        except requests.RequestException as error:
            return f"{type(error).__name__}: {error}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"


def _summary(payload: dict[str, Any]) -> dict[str, Any]:
    # The webhook URL may carry a token, so logs name the event, never the URL.
    return {"event": payload.get("event")}
