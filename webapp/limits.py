"""Request size limits: a search is a short GET, so anything larger is refused early, in Arabic.

A query string longer than MAX_QUERY_STRING_BYTES is a 414: the longest query the engine reads
(500 Arabic letters, percent-encoded) with a handful of filters fits in half of it. Two routes read
a body: POST /api/analyze, whose 5,000 Arabic letters MAX_BODY_BYTES holds even percent-encoded
in a form (6 bytes each), and POST /api/documents, which raises its own request's limit to
FAHRAS_PUBLISH_MAX_MB (webapp/documents_api.py). MAX_CONTENT_LENGTH keeps werkzeug from buffering
any other, and a declared length over the limit is a 413 at once. Longer request lines never
reach the app: gunicorn refuses them itself (limit_request_line in
webapp/gunicorn_conf.py).
"""

from flask import Flask, abort, request

MAX_QUERY_STRING_BYTES = 6144
MAX_BODY_BYTES = 32 * 1024


def init_app(app: Flask) -> None:
    if app.config["MAX_CONTENT_LENGTH"] is None:  # Flask's default: no limit
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.before_request(_check_size)


def _check_size() -> None:
    if len(request.query_string) > MAX_QUERY_STRING_BYTES:
        abort(414)
    if (request.content_length or 0) > (request.max_content_length or 0):
        abort(413)
