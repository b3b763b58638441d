"""GET /: the page frame, its local assets, and nothing loaded from elsewhere."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_page_shows_counts_per_status(client: FlaskClient):
    response = client.get("/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert re.search(r'data-status="open"><span class="count">1</span>', html)
    assert 'id="tickets"' in html and 'id="invalid"' in html and 'id="health"' in html


def test_every_asset_is_served_by_the_app(client: FlaskClient):
    html = client.get("/").get_data(as_text=True)

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page references its script and stylesheet"
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200


def test_no_external_urls_in_page_or_assets(client: FlaskClient):
    texts = [
        client.get(path).get_data(as_text=True)
        for path in ("/", "/static/dashboard.js", "/static/dashboard.css")
    ]

    assert not any(re.search(r"https?://", text) for text in texts)


def test_content_security_policy_allows_only_self(client: FlaskClient):
    assert "default-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_token_field_only_when_token_is_configured(client: FlaskClient, make_app):
    secured = make_app(api_token="t").test_client()

    assert 'id="token"' not in client.get("/").get_data(as_text=True)
    assert 'id="token"' in secured.get("/").get_data(as_text=True)
