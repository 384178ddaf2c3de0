"""The site's public address comes from the settings, never from the request's Host header.

Absolute URLs (the OpenSearch description, the widget snippet of /embed/demo, werkzeug's
redirects such as `//search` → `/search`) are built from the request's host. A client picks that
header freely, so a page or a cached answer could point readers at another site. Two settings:

- FAHRAS_PUBLIC_URL (`https://fahras.example`): every absolute URL uses it, whatever the Host.
- FAHRAS_TRUSTED_HOSTS: the Host names a request may carry (the public URL's is added); another
  gets an Arabic 400 before anything is routed or redirected. By default only this machine's
  names: a site served under its own name must say so (`*` trusts any, at the cost above).
"""

from collections.abc import Iterable
from typing import Any
from urllib.parse import SplitResult, urlsplit

from flask import Flask, current_app, request

from webapp.errors import Answer, error_answer
from webapp.messages import UNTRUSTED_HOST

UNTRUSTED = "fahras.untrusted_host"  # environ key: the Host that was refused
FALLBACK_HOST = "localhost"  # what URLs are built on while a refused request is answered


def parse_host_names(raw: str) -> str:
    """Host names (`.example.org`: and its subdomains; `*`: any): FAHRAS_TRUSTED_HOSTS."""
    names = raw.replace(",", " ").lower().split()
    if any("/" in name or name.count(":") == 1 for name in names):
        raise ValueError("host names such as `fahras.example localhost`, without scheme or port")
    return " ".join(names)


def parse_public_url(raw: str) -> str:
    """`scheme://host[:port]`, without a path: the settings' parser for FAHRAS_PUBLIC_URL."""
    raw = raw.strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ValueError("an address such as `https://fahras.example` (no path), or empty")
    return raw


def host_name(host: str) -> str:
    """The name in a Host header, without its port, lowercase (`[::1]:8000` → `::1`)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def is_trusted(host: str, trusted: Iterable[str]) -> bool:
    """`host` is listed, or under a listed `.domain`; `*` trusts every host."""
    name = host_name(host)
    for entry in trusted:
        if entry == "*" or name == entry or (entry.startswith(".") and name.endswith(entry)):
            return True
    return False


class PublicAddress:
    """WSGI middleware: refuse untrusted Hosts, and present the public address to the app."""

    def __init__(self, wsgi_app: Any, public_url: str, trusted: list[str]) -> None:
        self.wsgi_app = wsgi_app
        self.public: SplitResult | None = urlsplit(public_url) if public_url else None
        self.trusted = [*trusted, *([self.public.hostname] if self.public else [])]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        host = environ.get("HTTP_HOST")  # none (HTTP/1.0): URLs use our own server name
        if host is not None and not is_trusted(host, self.trusted):
            environ[UNTRUSTED] = host
            environ["HTTP_HOST"] = FALLBACK_HOST
        if self.public is not None:
            environ["HTTP_HOST"] = self.public.netloc
            environ["wsgi.url_scheme"] = self.public.scheme
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    trusted = str(app.config["FAHRAS_TRUSTED_HOSTS"]).split()
    public = str(app.config["FAHRAS_PUBLIC_URL"])
    app.wsgi_app = PublicAddress(app.wsgi_app, public, trusted)  # type: ignore[method-assign]
    app.before_request(_refuse_untrusted)


def _refuse_untrusted() -> Answer | None:
    """Before any other check and before routing: an untrusted Host is a 400."""
    if UNTRUSTED not in request.environ:
        return None
    if not current_app.extensions.get("fahras_host_warned"):  # once a worker: for the operator
        current_app.extensions["fahras_host_warned"] = True
        current_app.logger.warning(
            "refused a request for Host %r: to serve under this name add it to"
            " FAHRAS_TRUSTED_HOSTS or set FAHRAS_PUBLIC_URL",
            request.environ[UNTRUSTED][:100],
        )
    detail = "Host not in FAHRAS_TRUSTED_HOSTS (set it, or FAHRAS_PUBLIC_URL)"
    return error_answer(400, UNTRUSTED_HOST, detail=detail)
