"""Response headers every answer carries.

The pages have no inline script or style (htmx is configured by a <meta> tag and told not to
inject its indicator styles), so a strict Content-Security-Policy holds; the hardening issue
builds on it. No page may be framed, except /embed by the sites in FAHRAS_EMBED_ORIGINS (the
embed blueprint sets its own policy from `content_security_policy`, which `setdefault` keeps).
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


def content_security_policy(frame_ancestors: str | None = "'none'") -> str:
    """The policy; `frame_ancestors` are the sources that may frame the page, None for any."""
    if frame_ancestors is None:
        return CONTENT_SECURITY_POLICY
    return f"{CONTENT_SECURITY_POLICY}; frame-ancestors {frame_ancestors}"


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Search URLs carry what the reader looked for: other sites learn nothing from a link.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        # The same URL answers with a page or an htmx fragment: caches must keep both apart.
        response.vary.update(("HX-Request", "HX-History-Restore-Request"))
    return response
