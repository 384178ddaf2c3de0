"""The web app's side of search analytics: log each reader's search when FAHRAS_QUERY_LOG=on.

What is logged and how the log stays bounded: search/querylog.py. Only the search itself is
passed on, never the request: no address, cookie or header reaches the log. The one header read
is htmx's HX-Trigger, which tells a search sent by typing (from the box, id "q") from one the
reader asked for.
"""

from pathlib import Path

from flask import Flask, current_app, request

from search.engine import SearchRequest, SearchResult
from search.querylog import LoggedSearch, QueryLog, worth_logging

TYPING_TRIGGER = "q"  # the id of the search box in the pages and the widget


def init_app(app: Flask) -> None:
    if app.config["FAHRAS_QUERY_LOG"] == "on":
        app.extensions["fahras_query_log"] = QueryLog(Path(str(app.config["FAHRAS_INDEX"])))


def query_log() -> QueryLog | None:
    return current_app.extensions.get("fahras_query_log")


def record(wanted: SearchRequest, result: SearchResult) -> None:
    log = query_log()
    if log is None or not worth_logging(result):
        return
    typed = request.headers.get("HX-Trigger") == TYPING_TRIGGER
    log.record(LoggedSearch.of(wanted, result, typed=typed))
