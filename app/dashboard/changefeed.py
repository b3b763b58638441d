"""Fan-out of index changes to live-update subscribers (the /api/events streams)."""

from __future__ import annotations

import itertools
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

SUBSCRIBER_QUEUE_SIZE = 256


class FeedClosed(Exception):
    """The feed was closed (shutdown); streams should end."""


@dataclass(frozen=True, slots=True)
class FeedEvent:
    seq: int
    data: dict[str, Any] = field(default_factory=dict)


class Subscription:
    """A bounded queue; when a slow reader fills it, it is told to resync instead."""

    def __init__(self, size: int) -> None:
        self._queue: queue.Queue[FeedEvent | None] = queue.Queue(maxsize=size)

    def get(self, timeout: float) -> FeedEvent | None:
        """The next event, or None after `timeout`; raises FeedClosed at shutdown."""
        try:
            event = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if event is None:
            raise FeedClosed
        return event

    def offer(self, event: FeedEvent | None) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self._replace_backlog(event)

    def _replace_backlog(self, event: FeedEvent | None) -> None:
        # The reader only refetches on events, so one "resync" is worth the whole backlog.
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        replacement = event if event is None else FeedEvent(event.seq, {"type": "resync"})
        self._queue.put_nowait(replacement)


class ChangeFeed:
    def __init__(self, queue_size: int = SUBSCRIBER_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._subscribers: set[Subscription] = set()
        self._seq = itertools.count(1)
        self._closed = False

    def subscribe(self) -> Subscription:
        subscription = Subscription(self._queue_size)
        with self._lock:
            if self._closed:
                raise FeedClosed
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def publish(self, data: dict[str, Any]) -> FeedEvent:
        with self._lock:
            event = FeedEvent(next(self._seq), data)
            for subscription in self._subscribers:
                subscription.offer(event)
        return event

    def close(self) -> None:
        """End every stream; called from the worker's SIGTERM handler, so no blocking."""
        with self._lock:
            self._closed = True
            for subscription in self._subscribers:
                subscription.offer(None)
            self._subscribers.clear()

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)
