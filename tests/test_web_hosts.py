"""The public address comes from the settings, not from the Host header (issue 15)."""

from collections.abc import Callable

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from webapp.hosts import host_name, is_trusted
from webapp.settings import SettingsError, load_settings

EVIL = {"Host": "evil.example"}
PUBLIC = "https://fahras.example"


@pytest.mark.parametrize(
    "path", ["/opensearch.xml", "/embed/demo", "//search", "//opensearch.xml", "/", "/api/search"]
)
def test_an_untrusted_host_is_an_arabic_400_and_never_echoed(
    make_app: Callable[..., Flask], path: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = make_app().test_client().get(path, headers=EVIL)
    assert "add it to FAHRAS_TRUSTED_HOSTS" in caplog.text  # the operator learns the fix
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "evil.example" not in response.get_data(as_text=True)
    assert "لا يُخدم بهذا العنوان" in response.get_data(as_text=True)


def test_the_public_url_makes_every_absolute_link(make_app: Callable[..., Flask]) -> None:
    client = make_app(FAHRAS_PUBLIC_URL=PUBLIC).test_client()
    opensearch = client.get("/opensearch.xml", headers={"Host": "127.0.0.1:8000"})
    templates = opensearch.get_data(as_text=True)
    assert templates.count('template="https://fahras.example/') == 3
    assert "127.0.0.1" not in templates
    demo = client.get("/embed/demo", headers={"Host": "fahras.example"}).get_data(as_text=True)
    assert "https://fahras.example/widget.js" in demo
    redirect = client.get("//search", headers={"Host": "localhost"})
    assert redirect.status_code == 308
    assert redirect.headers["Location"].startswith("https://fahras.example/")
    assert client.get("/opensearch.xml", headers=EVIL).status_code == 400


def test_a_request_without_host_is_served(make_app: Callable[..., Flask]) -> None:
    """An HTTP/1.0 health check may send no Host: nothing is built on a client's value then."""
    environ = EnvironBuilder(path="/healthz").get_environ()
    del environ["HTTP_HOST"]
    environ["SERVER_NAME"] = "0.0.0.0"
    body, status, _ = run_wsgi_app(make_app().wsgi_app, environ, buffered=True)
    assert status.startswith("200"), b"".join(body)


def test_listed_hosts_and_subdomains_are_trusted(make_app: Callable[..., Flask]) -> None:
    client = make_app(FAHRAS_TRUSTED_HOSTS=".example.org").test_client()
    page = client.get("/opensearch.xml", headers={"Host": "search.example.org:8443"})
    assert page.status_code == 200 and "http://search.example.org:8443/search" in page.text
    assert client.get("/opensearch.xml", headers=EVIL).status_code == 400
    anything = make_app(FAHRAS_TRUSTED_HOSTS="*").test_client()
    assert anything.get("/healthz", headers=EVIL).status_code == 200


@pytest.mark.parametrize(
    ("host", "name"),
    [("127.0.0.1:8000", "127.0.0.1"), ("[::1]:8000", "::1"), ("LocalHost.", "localhost")],
)
def test_host_names_are_read_without_port_or_case(host: str, name: str) -> None:
    assert host_name(host) == name
    assert is_trusted(host, ["localhost", "127.0.0.1", "::1"])


@pytest.mark.parametrize(
    "environ",
    [
        {"FAHRAS_PUBLIC_URL": "fahras.example"},
        {"FAHRAS_PUBLIC_URL": "https://fahras.example/search"},
        {"FAHRAS_PUBLIC_URL": "ftp://fahras.example"},
        {"FAHRAS_TRUSTED_HOSTS": "https://fahras.example"},
        {"FAHRAS_TRUSTED_HOSTS": "fahras.example:8000"},
    ],
)
def test_bad_address_settings_name_the_variable(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=next(iter(environ))):
        load_settings(environ)
