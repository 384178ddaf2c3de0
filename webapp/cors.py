"""CORS on the public JSON endpoints, for site owners who build their own search box.

Only `/api/search` and `/api/suggest`, only GET, never credentials (nothing there depends on a
cookie), and only for the origins of FAHRAS_EMBED_ORIGINS. A refused origin simply gets no
CORS headers: the browser then hides the answer from the calling page, which is the refusal.
Error answers carry the headers too, so a front end can show our Arabic message.
"""

from flask import Flask, Response, current_app, request

from webapp.origins import Origins

ENDPOINTS = frozenset({"api.search", "api.suggest"})
PREFLIGHT_MAX_AGE = 86400  # seconds a browser may reuse a preflight answer


def init_app(app: Flask) -> None:
    app.after_request(_add_cors_headers)


def _add_cors_headers(response: Response) -> Response:
    if request.endpoint not in ENDPOINTS:
        return response
    origins = Origins.from_config(current_app.config)
    if not origins.any:
        response.vary.add("Origin")  # the answer differs by caller: caches must keep them apart
    origin = request.headers.get("Origin")
    if origin is None or not origins.allows(origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*" if origins.any else origin
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        # A preflight (Flask answers OPTIONS itself): GET is the one method allowed; a browser
        # asking for another, or for custom request headers, finds it missing and gives up.
        response.status_code = 204
        response.set_data(b"")
        response.headers["Access-Control-Allow-Methods"] = "GET"
        if current_app.config["FAHRAS_SEARCH_KEYS"] == "required":  # a private archive's key
            response.headers["Access-Control-Allow-Headers"] = "Authorization"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response
