"""The application factory: a fresh, self-contained app per call (one per test)."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.envconfig import load_settings
from dashboard.runtime.draining import DrainFlag
from dashboard.services import EXTENSION_KEY, build_services, services_of
from dashboard.settings import Settings
from dashboard.web import api, events, ops, pages
from dashboard.web.admission import AdmissionLimits, limits_for_threads
from dashboard.web.body_limit import CountedBody
from dashboard.web.errors import register_error_handlers

MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings | None = None, *, draining: DrainFlag | None = None) -> Flask:
    """Build the app and its services; call start_services/stop_services around use.

    `draining` is the server's flag that SIGTERM sets (dashboard.server); by default one
    that nothing sets.
    """
    settings = settings or load_settings(Settings)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    # Flask's DefaultJSONProvider has sort_keys; app.json is typed as the JSONProvider base.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = build_services(settings, draining)
    register_error_handlers(app)
    for blueprint in (ops.blueprint, api.blueprint, events.blueprint, pages.blueprint):
        app.register_blueprint(blueprint)
    app.before_request(_reject_large_bodies)
    app.after_request(_count_and_harden)
    # Outermost first: the admission check costs nothing and comes before reading a body.
    # Replacing wsgi_app is how Flask documents wrapping it in middleware.
    app.wsgi_app = AdmissionLimits(  # type: ignore[method-assign]
        CountedBody(app.wsgi_app, MAX_BODY_BYTES), **limits_for_threads(settings.threads)
    )
    return app


def start_services(app: Flask) -> Flask:
    services_of(app).start()
    return app


def stop_services(app: Flask) -> None:
    services_of(app).stop()


def _reject_large_bodies() -> None:
    # MAX_CONTENT_LENGTH only fires when a view reads the body; answer early and always.
    # A chunked body has a Content-Length by now too (see dashboard.web.body_limit).
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()


def _count_and_harden(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "unmatched"
    services_of().prometheus.requests.labels(request.method, route, str(response.status_code)).inc()
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Every asset is served by this app, so nothing else may be loaded or framed.
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"
    )
    return response
