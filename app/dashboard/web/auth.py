"""Bearer-token check for the endpoints that change things."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from dashboard.services import services_of

View = TypeVar("View", bound=Callable[..., Any])


def require_token(view: View) -> View:
    """401 unless DASHBOARD_API_TOKEN is unset or the request sends it as a Bearer token."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check_token()
        return view(*args, **kwargs)

    return cast(View, checked)  # functools.wraps keeps the signature that View stands for


def check_token() -> None:
    token = services_of().settings.api_token
    if token is None:
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    # compare_digest: the time taken must not reveal how much of the token matched.
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(), expected):
        raise Unauthorized(
            "send the API token as 'Authorization: Bearer <token>'",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "ticket-dashboard"}),
        )


def is_token_configured() -> bool:
    return services_of().settings.api_token is not None
