"""Overload: the gthread worker's main loop answers 503 itself when its thread pool is backed up.

gunicorn hands every readable connection to its thread pool, whose queue has no bound. With
more requests than the CPU can serve, the queue grew until requests timed out, and clients
opened ever more connections; docker's port proxy died at 19,303 open files (issue 13,
finding 3). Refusing in a thread does not help enough: at 0.5 CPU gunicorn alone serves
about 1,000 trivial requests a second, so at four times the capacity of a real endpoint
even 503s would queue. So once more than MAX_WAITING requests wait for a thread, the main
loop answers a plain request itself: peek at what the socket holds, and if it is one
complete GET without a body, read it and write a canned 503 (tens of microseconds); the
connection stays open. Anything else (part of a request, a body, more than one request,
/health and /ready) takes gunicorn's normal way, so nothing is ever half read.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

# Requests waiting for a thread beyond which new ones are refused: what arrives at 1,000/s
# while the CPU quota is used up (50 ms of every 100 at 0.5 CPU), and about 0.1 s of work.
MAX_WAITING = 64
RETRY_AFTER_SECONDS = 1
MAX_HEAD_BYTES = 8192
ACCEPT_BATCH = 64  # new connections taken per turn of the loop
NEVER_REFUSED = (b"/health", b"/ready")  # a probe must see a busy process as alive
_BUSY_BODY = json.dumps(
    {
        "message": "busy: more requests than can be served in time; "
        f"retry in {RETRY_AFTER_SECONDS} s",
        "status": 503,
        "retry_after_seconds": RETRY_AFTER_SECONDS,
    }
).encode()
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/json\r\n"
    b"Retry-After: %d\r\n"
    b"Content-Length: %d\r\n"
    b"\r\n%s" % (RETRY_AFTER_SECONDS, len(_BUSY_BODY), _BUSY_BODY)
)
# Headers after which the next bytes on the connection are not simply the next request.
_NOT_PLAIN_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"upgrade", b"expect"})


def is_plain_get(head: bytes) -> bool:
    """One complete HTTP/1.1 GET head with no body and nothing after it, not for a probe,
    on a connection the client keeps open."""
    if not head.endswith(b"\r\n\r\n") or head.count(b"\r\n\r\n") != 1:
        return False
    request_line, *header_lines = head[:-4].split(b"\r\n")
    parts = request_line.split(b" ")
    if len(parts) != 3 or parts[0] != b"GET" or parts[2] != b"HTTP/1.1":
        return False
    if parts[1].split(b"?", 1)[0] in NEVER_REFUSED:
        return False
    for line in header_lines:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name in _NOT_PLAIN_HEADERS or (name == b"connection" and b"close" in value.lower()):
            return False
    return True


if TYPE_CHECKING:
    from gunicorn.workers.gthread import ThreadWorker as _Worker
else:
    _Worker = object  # a mixin: ThreadWorker comes after it in the worker's bases


class ShedsOverload(_Worker):
    """Mixin for gunicorn's ThreadWorker (gthread); see the module docstring.

    Counts the connections in the thread pool (handed over, not yet given back) on the
    main thread, where gthread does both, so no lock is needed.
    """

    cfg: Any
    poller: selectors.DefaultSelector
    keepalived_conns: deque[Any]
    pending_conns: deque[Any]
    nr_conns: int
    worker_connections: int
    _in_pool = 0

    def accept(self, listener: Any) -> None:
        # gthread accepts one connection per turn of its loop; in a burst of new connections
        # the others waited in the kernel's queue for as many turns (seconds when it is busy).
        for _ in range(ACCEPT_BATCH):
            before = self.nr_conns
            super().accept(listener)
            if self.nr_conns == before or self.nr_conns >= self.worker_connections:
                return  # nothing more waiting, or no room for more

    def enqueue_req(self, conn: Any) -> None:
        if self._overloaded() and not conn.initialized and not conn.data_ready:
            # A new connection: wait for its request in the poller, where it can be refused.
            self._wait_in_poller(conn)
            return
        self._in_pool += 1
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self._in_pool -= 1
        super().finish_request(conn, fs)

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:
        if not self._refused(conn, self.keepalived_conns):
            super().on_client_socket_readable(conn, client)

    def on_pending_socket_readable(self, conn: Any, client: Any) -> None:
        if not self._refused(conn, self.pending_conns):
            super().on_pending_socket_readable(conn, client)

    def _overloaded(self) -> bool:
        return self._in_pool - self.cfg.threads > MAX_WAITING

    def _refused(self, conn: Any, waiting: deque[Any]) -> bool:
        """True if the request on `conn` was answered with a 503 here (or `conn` closed)."""
        if not self._overloaded():
            return False
        try:
            head = conn.sock.recv(MAX_HEAD_BYTES, socket.MSG_PEEK)
        except (OSError, ValueError):  # nothing there yet, or a TLS socket (cannot peek)
            return False
        if not is_plain_get(head):
            return False
        try:
            conn.sock.recv(len(head))
            answered = conn.sock.send(BUSY_RESPONSE) == len(BUSY_RESPONSE)
        except OSError:
            answered = False
        waiting.remove(conn)
        if answered:
            conn.set_timeout()  # kept alive from now; the deque stays sorted by timeout
            waiting.append(conn)
        else:
            self._close(conn)
        return True

    def _wait_in_poller(self, conn: Any) -> None:
        # What gthread itself does with a connection whose request is slow to arrive.
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        callback: Callable[..., None] = partial(self.on_pending_socket_readable, conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, callback)

    def _close(self, conn: Any) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):  # not registered (any more)
            self.poller.unregister(conn.sock)
        self.nr_conns -= 1
        conn.close()
