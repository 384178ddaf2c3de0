"""gunicorn's gthread worker, answering a request line with raw UTF-8 in the product's own words.

`curl "http://host/search?q=كتاب"` sends the Arabic letters as raw bytes; HTTP wants them
percent-encoded, and gunicorn (25+, RFC 9112 §3.2) refuses such a request line with an English
"Invalid HTTP request line" before any app sees it. No setting relaxes that check
(`permit_unconventional_http_method`/`_version` are about the method and the version), and
decoding the line ourselves would mean replacing gunicorn's parser. So this worker answers that
one case with the app's own Arabic 400 (JSON under /api/), its security headers included, naming
the percent-encoded address to use instead and the curl option that writes it. Every other
malformed request keeps gunicorn's answer.
"""

import re
from typing import Any

from flask import Flask, make_response
from gunicorn import util
from gunicorn.http.errors import InvalidRequestLine
from gunicorn.workers.gthread import ThreadWorker

from webapp.errors import error_answer
from webapp.messages import unencoded_url

_UNSAFE = re.compile(rb"[^\x21-\x7e]")  # what a request target must percent-encode


def raw_target(exc: BaseException) -> str | None:
    """The target of a request line gunicorn refused for its raw non-ASCII bytes, else None.

    gunicorn puts the line (its Python parser) or the target (its C parser) in the exception's
    `req`, decoded as latin-1: one character per byte.
    """
    line = getattr(exc, "req", None)
    if not isinstance(exc, InvalidRequestLine) or not isinstance(line, str):
        return None
    parts = line.split(" ")
    target = parts[1] if len(parts) == 3 else line
    if not target.startswith("/") or target.isascii():
        return None
    try:
        target.encode("latin-1")
    except UnicodeEncodeError:
        return None
    return target


def percent_encoded(target: str) -> str:
    """The target as it should have been sent: its bytes outside printable ASCII as %XX."""
    raw = target.encode("latin-1")
    return _UNSAFE.sub(lambda byte: b"%%%02X" % byte[0][0], raw).decode("ascii")


def error_bytes(app: Flask, target: str) -> bytes:
    """The app's Arabic 400 for this target, as a whole HTTP/1.1 response that closes."""
    encoded = percent_encoded(target)
    with app.test_request_context(encoded):
        message, detail = unencoded_url(encoded)
        response = app.process_response(make_response(error_answer(400, message, detail)))
    body = response.get_data()
    head = [f"HTTP/1.1 {response.status}"]
    head += [
        f"{name}: {value}"
        for name, value in response.headers.items()
        if name.lower() not in ("connection", "content-length")
    ]
    head += [f"Content-Length: {len(body)}", "Connection: close"]
    return "\r\n".join(head).encode("latin-1") + b"\r\n\r\n" + body


class ArabicThreadWorker(ThreadWorker):
    """gthread, with the app's own answer to a request line holding raw UTF-8."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        target = raw_target(exc)
        app = getattr(self, "wsgi", None)
        if target is None or not isinstance(app, Flask):
            super().handle_error(req, client, addr, exc)
            return
        self.log.info("request line with raw UTF-8 from %s: answered 400", (addr or ("",))[0])
        try:
            util.write_nonblock(client, error_bytes(app, target))
        except Exception:  # the client is gone: nothing to tell it
            self.log.debug("Failed to send the raw UTF-8 answer.")
