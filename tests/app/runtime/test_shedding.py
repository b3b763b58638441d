"""Under overload the worker's main loop answers plain requests with a canned 503 itself."""

from __future__ import annotations

import os
import select
import selectors
import socket
from collections.abc import Iterator
from concurrent.futures import Future
from functools import partial

import pytest
from gunicorn.config import Config
from gunicorn.workers.gthread import TConn

from dashboard.runtime.shedding import BUSY_RESPONSE, MAX_WAITING, is_plain_get
from dashboard.server import DashboardWorker

GET = b"GET /api/tickets?limit=50 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n"


@pytest.mark.parametrize(
    "head",
    [
        GET,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n",
    ],
)
def test_complete_bodiless_get_is_plain(head: bytes):
    assert is_plain_get(head)


@pytest.mark.parametrize(
    "head",
    [
        GET[:-2],  # not complete yet
        GET + GET,  # two requests
        GET.replace(b"GET", b"POST"),
        GET.replace(b"HTTP/1.1", b"HTTP/1.0"),
        GET.replace(b"/api/tickets?limit=50", b"/health"),
        GET.replace(b"/api/tickets?limit=50", b"/ready"),
        GET.replace(b"Accept: */*", b"Content-Length: 4"),
        GET.replace(b"Accept: */*", b"Transfer-Encoding: chunked"),
        GET.replace(b"Accept: */*", b"Connection: close"),
        GET.replace(b"Accept: */*", b"Upgrade: h2c"),
        b"",
    ],
)
def test_anything_else_is_left_to_gunicorn(head: bytes):
    assert not is_plain_get(head)


class RecordingPool:
    """Stands in for gunicorn's thread pool: records what it is given, runs nothing."""

    def __init__(self) -> None:
        self.submitted: list[object] = []

    def submit(self, _handle: object, conn: object) -> Future:
        self.submitted.append(conn)
        return Future()


@pytest.fixture
def worker() -> Iterator[DashboardWorker]:
    config = Config()
    config.set("threads", 4)
    config.set("keepalive", 5)
    worker = DashboardWorker(0, os.getpid(), [], None, 30, config, None)
    worker.poller = selectors.DefaultSelector()  # what init_process sets up; no loop runs

    worker.method_queue.init()
    worker.tpool = RecordingPool()
    yield worker
    worker.poller.close()
    worker.method_queue.close()


@pytest.fixture
def client_and_conn(worker: DashboardWorker) -> Iterator[tuple[socket.socket, TConn]]:
    """A kept-alive connection as gthread holds one: in the poller, waiting for a request."""
    client, server = socket.socketpair()
    conn = TConn(worker.cfg, server, ("127.0.0.1", 1), ("127.0.0.1", 2))
    conn.initialized = True  # it has served a request before
    conn.set_timeout()
    worker.keepalived_conns.append(conn)
    worker.nr_conns += 1
    worker.poller.register(
        server, selectors.EVENT_READ, partial(worker.on_client_socket_readable, conn)
    )
    yield client, conn
    client.close()
    server.close()


def overload(worker: DashboardWorker) -> None:
    worker._in_pool = worker.cfg.threads + MAX_WAITING + 1


def send(client: socket.socket, conn: TConn, data: bytes) -> None:
    client.sendall(data)
    select.select([conn.sock], [], [], 5)


def test_overloaded_worker_answers_a_plain_get_itself(worker, client_and_conn):
    client, conn = client_and_conn
    overload(worker)
    send(client, conn, GET)

    worker.on_client_socket_readable(conn, conn.sock)

    assert client.recv(4096) == BUSY_RESPONSE
    assert worker.tpool.submitted == []


def test_refused_connection_stays_open_for_the_next_request(worker, client_and_conn):
    client, conn = client_and_conn
    overload(worker)
    send(client, conn, GET)

    worker.on_client_socket_readable(conn, conn.sock)

    assert conn in worker.keepalived_conns
    assert worker.poller.get_key(conn.sock) is not None


def test_worker_with_threads_to_spare_hands_the_request_to_a_thread(worker, client_and_conn):
    client, conn = client_and_conn
    send(client, conn, GET)

    worker.on_client_socket_readable(conn, conn.sock)

    assert worker.tpool.submitted == [conn]


@pytest.mark.parametrize("data", [GET[:20], GET.replace(b"/api/tickets?limit=50", b"/health")])
def test_overloaded_worker_leaves_other_requests_unread_for_a_thread(
    worker, client_and_conn, data: bytes
):
    client, conn = client_and_conn
    overload(worker)
    send(client, conn, data)

    worker.on_client_socket_readable(conn, conn.sock)

    assert worker.tpool.submitted == [conn]
    assert conn.sock.recv(4096, socket.MSG_PEEK) == data


def test_overloaded_worker_lets_a_new_connection_wait_in_the_poller(worker):
    client, server = socket.socketpair()
    conn = TConn(worker.cfg, server, ("127.0.0.1", 1), ("127.0.0.1", 2))
    overload(worker)

    worker.enqueue_req(conn)

    assert worker.tpool.submitted == []
    assert conn in worker.pending_conns
    client.close()
    server.close()


def test_a_burst_of_new_connections_is_taken_in_one_turn(worker):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
    select.select([listener], [], [], 5)

    worker.accept(listener)

    assert len(worker.tpool.submitted) == 3
    for sock in [*clients, listener, *(conn.sock for conn in worker.tpool.submitted)]:
        sock.close()
