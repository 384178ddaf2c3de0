"""Every error becomes an Arabic answer in the form the client asked for, never a stack trace.

JSON for the API and /healthz, the results region for an htmx request, a whole page otherwise.
Bad parameters are 400s that say how to fix them; a missing index is a 503 that says how to
build one; anything unexpected is logged and shown as a plain 500 page.
"""

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search.errors import IndexMissingError, QueryError
from search.settings import SettingsError
from webapp.htmx import wants_fragment
from webapp.messages import HTTP_MESSAGES, HTTP_TITLES, INDEX_MISSING, QUERY_REJECTED
from webapp.params import ParamError

JSON_PATHS = ("/api/", "/healthz")

Answer = tuple[object, int]


def init_app(app: Flask) -> None:
    app.register_error_handler(ParamError, _bad_param)
    app.register_error_handler(QueryError, _rejected_query)
    app.register_error_handler(IndexMissingError, _no_index)
    app.register_error_handler(SettingsError, _no_index)  # a broken settings file: as no index
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def error_answer(status: int, message: str, detail: str | None = None) -> Answer:
    """The error in the client's format; `detail` (English, technical) goes to JSON only."""
    title = HTTP_TITLES.get(status, HTTP_TITLES[500 if status >= 500 else 400])
    if request.path.startswith(JSON_PATHS):
        body: dict[str, object] = {"status": status, "title": title, "message": message}
        if detail:
            body["detail"] = detail
        return jsonify(error=body), status
    template = "error_fragment.html" if wants_fragment() else "error.html"
    return render_template(template, status=status, title=title, message=message), status


def _bad_param(error: ParamError) -> Answer:
    return error_answer(400, error.message, detail=f"parameter: {error.param}")


def _rejected_query(error: QueryError) -> Answer:
    return error_answer(400, QUERY_REJECTED, detail=str(error))


def _no_index(error: IndexMissingError | SettingsError) -> Answer:
    current_app.logger.error("%s", error)
    return error_answer(503, INDEX_MISSING)


def _http_error(error: HTTPException) -> Answer:
    status = error.code or 500
    return error_answer(status, HTTP_MESSAGES.get(status, HTTP_TITLES.get(status, "")))


def _unexpected(error: Exception) -> Answer:
    current_app.logger.exception("unhandled error on %s", request.path)
    return error_answer(500, HTTP_MESSAGES[500])
