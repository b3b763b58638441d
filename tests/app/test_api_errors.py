"""Every error is JSON with a message; oversized bodies are refused."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from dashboard.services import services_of


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
    def explode() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services_of(app).store.index, "tickets", explode)

    response = app.test_client().get("/api/tickets")

    assert response.status_code == 500
    assert response.json["message"] == "internal error; see the server log"


def test_write_failure_is_json_500_naming_the_problem(client: FlaskClient, app, monkeypatch):
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", "T-1.md")

    monkeypatch.setattr("dashboard.tickets.store.atomic_replace", no_space)

    response = client.post("/api/tickets/T-1/status", json={"status": "done"})

    assert response.status_code == 500
    assert "No space left on device" in response.json["message"]
