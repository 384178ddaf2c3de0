"""CORS on /api/search and /api/suggest: for the origins of FAHRAS_EMBED_ORIGINS, GET only, no
credentials, preflights answered; every other endpoint stays same-origin."""

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

SITE = "https://news.example"
ENDPOINTS = ("/api/search?q=الكتاب", "/api/suggest?q=الذك")
PREFLIGHT = {"Origin": SITE, "Access-Control-Request-Method": "GET"}


@pytest.fixture
def listed(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app(FAHRAS_EMBED_ORIGINS=f"{SITE} http://localhost:8000").test_client()


def cors_headers(response: TestResponse) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("Access-Control-")}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_listed_origin_may_read_the_answer(listed: FlaskClient, url: str) -> None:
    response = listed.get(url, headers={"Origin": SITE})
    assert response.status_code == 200 and response.is_json
    assert cors_headers(response) == {"Access-Control-Allow-Origin": SITE}  # no credentials
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_another_origin_gets_no_cors_headers(listed: FlaskClient, url: str) -> None:
    response = listed.get(url, headers={"Origin": "https://evil.example"})
    assert response.status_code == 200  # the browser, not us, withholds it from the page
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["Vary"]  # a cache must not hand it to SITE either
    assert cors_headers(listed.get(url)) == {}  # same-origin requests send no Origin


def test_any_origin_when_the_setting_is_a_star(client: FlaskClient) -> None:
    response = client.get(ENDPOINTS[0], headers={"Origin": "null"})  # even a page from a file
    assert cors_headers(response) == {"Access-Control-Allow-Origin": "*"}
    assert "Origin" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("url", ENDPOINTS)
def test_preflight_allows_get_and_nothing_else(listed: FlaskClient, url: str) -> None:
    response = listed.options(url, headers=PREFLIGHT)
    assert response.status_code == 204 and response.get_data() == b""
    assert cors_headers(response) == {
        "Access-Control-Allow-Origin": SITE,
        "Access-Control-Allow-Methods": "GET",
        "Access-Control-Max-Age": "86400",
    }
    asking = {**PREFLIGHT, "Access-Control-Request-Method": "DELETE"}
    assert (
        "DELETE" not in listed.options(url, headers=asking).headers["Access-Control-Allow-Methods"]
    )
    asking = {**PREFLIGHT, "Access-Control-Request-Headers": "x-token"}
    assert "Access-Control-Allow-Headers" not in listed.options(url, headers=asking).headers


def test_preflight_from_another_origin_is_not_allowed(listed: FlaskClient) -> None:
    response = listed.options(ENDPOINTS[0], headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert cors_headers(response) == {}


def test_errors_are_readable_too(listed: FlaskClient) -> None:
    response = listed.get("/api/search?page=abc", headers={"Origin": SITE})
    assert response.status_code == 400 and response.get_json()["error"]["message"]
    assert response.headers["Access-Control-Allow-Origin"] == SITE


@pytest.mark.parametrize("url", ["/api/analyze?text=كتاب", "/healthz", "/search?q=كتاب", "/embed"])
def test_other_endpoints_stay_same_origin(client: FlaskClient, url: str) -> None:
    assert cors_headers(client.get(url, headers={"Origin": SITE})) == {}
