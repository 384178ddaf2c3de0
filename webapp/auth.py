"""API keys over HTTP: `Authorization: Bearer KEY`, checked against the index's key store.

Use `require_key` on a view (or `key_refusal` in a `before_request`) to protect an endpoint:

    @bp.post("/api/documents")
    @require_key("write")
    def publish() -> Response:
        key = current_key()  # the ApiKey that made this request
        ...

A missing, malformed, unknown or revoked key is a 401 (with `WWW-Authenticate: Bearer`), a
read key on a write endpoint a 403; both are JSON with an Arabic `message` and an English
`detail`, like every other API error (webapp/errors.py). Keys are made with `fahras keys create`
(search/keys.py) and are kept with the index, so a key created or revoked on the command line
counts at once in every worker.
"""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, Response, current_app, g, make_response, request

from search.keys import ApiKey, KeyStore, Scope
from webapp.errors import error_answer

KEYED_PATHS = ("/api/",)
KEYED_ENDPOINTS = frozenset({"embed.frame"})  # the widget's frame: widget.js passes data-key
# Health checks, and the completions the open pages' own search box asks for as readers type.
OPEN_PATHS = frozenset({"/healthz", "/api/suggest"})

P = ParamSpec("P")
R = TypeVar("R")

NO_KEY = (
    "هذا الطلب يحتاج إلى مفتاح API في الترويسة Authorization: Bearer KEY.",
    "This request needs an API key: send the header `Authorization: Bearer KEY`.",
)
BAD_KEY = (
    "مفتاح API غير صحيح أو أُلغي. اطلب مفتاحًا جديدًا من مسؤول الموقع.",
    "The API key is wrong or was revoked: ask the site's operator for a new one.",
)
READ_ONLY_KEY = (
    "هذا المفتاح للقراءة فقط، وهذا الطلب يحتاج إلى مفتاح كتابة.",
    "This key may only read; this request needs a key with the write scope.",
)


def init_app(app: Flask) -> None:
    """With FAHRAS_SEARCH_KEYS=required, the JSON API and the widget need a read key.

    The HTML pages stay open: a private archive keeps its API for its own programs, while its
    readers (behind whatever protects the site) search as usual, with the completions of
    /api/suggest under the box. Health checks stay open.
    """
    if app.config["FAHRAS_SEARCH_KEYS"] == "required":
        app.before_request(_require_read_key)


def _require_read_key() -> Response | None:
    if request.method == "OPTIONS" or request.path in OPEN_PATHS:
        return None
    if request.endpoint in KEYED_ENDPOINTS:  # a frame sends no headers: its `key` option
        return key_refusal(Scope.READ, request.args.get("key"))
    if request.path.startswith(KEYED_PATHS):
        return key_refusal(Scope.READ)
    return None


def key_store() -> KeyStore:
    return KeyStore(current_app.config["FAHRAS_INDEX"])


def current_key() -> ApiKey | None:
    """The key the current request was allowed with (None on an open endpoint)."""
    return g.get("fahras_api_key")


def key_refusal(scope: str | Scope, token: str | None = None) -> Response | None:
    """The 401/403 answer if this request's key does not allow `scope`, else None.

    The key is the request's bearer token, or `token` where a header cannot be sent (the
    widget's frame). On success it is kept for the request (`current_key()`).
    """
    needed = Scope(scope)
    kind, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "bearer" and bearer.strip():
        token = bearer
    if not token or not token.strip():
        return _refuse(401, NO_KEY)
    key = key_store().verify(token)
    if key is None:
        return _refuse(401, BAD_KEY)
    if not key.scope.allows(needed):
        return _refuse(403, READ_ONLY_KEY)
    g.fahras_api_key = key
    return None


def require_key(scope: str | Scope) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Decorate a view so that it runs only for a key allowing `scope` ("read" or "write")."""
    needed = Scope(scope)  # a typo fails at import, not on the first request

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            refusal = key_refusal(needed)
            return refusal if refusal is not None else view(*args, **kwargs)

        return guarded

    return decorate


def _refuse(status: int, wording: tuple[str, str]) -> Response:
    arabic, english = wording
    response = make_response(error_answer(status, arabic, detail=english))
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="fahras"'
    return response
