"""Every error is JSON with a message; oversized bodies are refused."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from dashboard.services import services_of
from tests.app.ticket_helpers import TicketTree, running_dashboard


def test_body_over_64_kib_is_413(client: FlaskClient):
    body = '{"status": "done", "pad": "' + "x" * (64 * 1024) + '"}'

    response = client.post("/api/tickets/T-1/status", data=body, content_type="application/json")

    assert response.status_code == 413
    assert "64 KiB" in response.json["message"]


def test_oversized_body_is_refused_whatever_its_type(client: FlaskClient):
    response = client.post("/api/sync", data="x" * (65 * 1024), content_type="text/plain")

    assert response.status_code == 413


def test_body_just_under_limit_is_accepted(client: FlaskClient):
    body = '{"status": "done", "pad": "' + "x" * (60 * 1024) + '"}'

    response = client.post("/api/tickets/T-1/status", data=body, content_type="application/json")

    assert response.status_code == 200


def test_unknown_route_is_json_404(client: FlaskClient):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert response.is_json and response.json["message"]


def test_wrong_method_is_json_405_with_allow(client: FlaskClient):
    response = client.delete("/api/tickets/T-1")

    assert response.status_code == 405
    assert response.json["message"] and "GET" in response.headers["Allow"]


def test_unexpected_error_is_json_500_without_details(app: Flask, monkeypatch):
    def explode(*_args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services_of(app).listing, "page", explode)

    response = app.test_client().get("/api/tickets")

    assert response.status_code == 500
    assert response.json["message"] == "internal error; see the server log"


def test_write_failure_is_json_500_naming_the_problem(client: FlaskClient, app, monkeypatch):
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", "T-1.md")

    monkeypatch.setattr("dashboard.tickets.status_change.atomic_replace", no_space)

    response = client.post("/api/tickets/T-1/status", json={"status": "done"})

    assert response.status_code == 500
    assert "No space left on device" in response.json["message"]


def chunks_of(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def chunked_environ(path: str, body: bytes) -> dict:
    """What gunicorn passes for a chunked request: the decoded body and no Content-Length."""
    environ = EnvironBuilder(
        path,
        method="POST",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    ).get_environ()
    del environ["CONTENT_LENGTH"]  # EnvironBuilder counts the stream; a chunked request has none
    environ["wsgi.input_terminated"] = True
    return environ


def test_chunked_body_over_64_kib_is_413(client: FlaskClient):
    environ = chunked_environ("/api/tickets/T-1/status", b"x" * (2 * 1024 * 1024))

    response = client.open(environ)

    assert response.status_code == 413
    assert "64 KiB" in response.json["message"]


def post_chunked(port: int, path: str, body: bytes) -> tuple[int, bytes]:
    """POST `body` chunked (no Content-Length) and read the answer while still sending, as
    curl does: a server refusing a large body answers and closes before it has all of it."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    chunks = (b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks_of(body))
    data = (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + b"".join(chunks) + b"0\r\n\r\n"
    sender = threading.Thread(target=_send_ignoring_a_close, args=(sock, data))
    sender.start()
    with sock.makefile("rb") as answer:
        status = int(answer.readline().split()[1])
        headers = dict(line.decode().split(":", 1) for line in iter(answer.readline, b"\r\n"))
        content = answer.read(int(headers["Content-Length"]))
    sender.join(10)
    sock.close()
    return status, content


def _send_ignoring_a_close(sock: socket.socket, data: bytes) -> None:
    with contextlib.suppress(OSError):
        sock.sendall(data)


def test_chunked_body_over_64_kib_is_413_from_the_real_server(
    ticket_tree: TicketTree, tmp_path: Path
):
    with running_dashboard(ticket_tree, tmp_path) as port:
        status, content = post_chunked(port, "/api/tickets/T-1/status", b"x" * (2 * 1024 * 1024))

    assert status == 413
    assert "64 KiB" in json.loads(content)["message"]


def test_small_chunked_body_still_changes_the_status(ticket_tree: TicketTree, tmp_path: Path):
    with running_dashboard(ticket_tree, tmp_path) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST",
            "/api/tickets/T-1/status",
            body=chunks_of(b'{"status": "review"}', size=7),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )

        assert connection.getresponse().status == 200
        assert b"\nstatus: review\n" in ticket_tree.read("T-1.md")
