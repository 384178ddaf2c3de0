"""Response headers every answer carries.

The pages have no inline script or style (htmx is configured by a <meta> tag and told not to
inject its indicator styles), so a strict Content-Security-Policy holds; the hardening issue
builds on it, and the widget issue loosens frame-ancestors for FAHRAS_EMBED_ORIGINS.
"""

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        # The same URL answers with a page or an htmx fragment: caches must keep both apart.
        response.vary.update(("HX-Request", "HX-History-Restore-Request"))
    return response
