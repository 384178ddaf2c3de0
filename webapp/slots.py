"""Search slots: searches may take a few of a worker's threads, never all of them.

A gunicorn gthread worker serves each request on one of its `threads`; requests beyond them wait
in the worker's queue, first come first served. Searches in one worker also take turns on its
engine (a Whoosh searcher is not shared between threads), so a burst of slow searches would take
every thread and leave /healthz and the static files queued behind seconds of searching.

Here a search first takes one of FAHRAS_SEARCH_SLOTS slots without waiting (gunicorn runs two
threads more than there are slots: those stay free for everything else). An expensive one
(several prefixes or phrases: see search/budget.py) also needs one of FAHRAS_EXPENSIVE_SEARCHES
turns, which it may wait for as long as three searches take, behind at most two others per turn
(keeping its slot meanwhile). The slots are many, so a reader's ordinary searches are not refused
under ordinary load; what they bound is a burst. A search that gets neither is answered at once
with an Arabic 503 and `Retry-After`: a busy server says so instead of making everyone wait.
"""

import threading

from flask import Flask, Response, current_app, g, make_response, request

from search.budget import EXPENSIVE_COST, REQUEST_BUDGET, query_cost
from search.query import parse_query
from webapp.errors import error_answer
from webapp.messages import SEARCHES_BUSY

SEARCH_ENDPOINTS = frozenset({"pages.home", "pages.search", "api.search", "embed.frame"})
RETRY_AFTER_SECONDS = 1
TURN_WAIT = 3 * REQUEST_BUDGET  # an expensive search waits this long for its turn at most
WAITING_PER_TURN = 2  # expensive searches that may wait for each turn; more are refused at once


class SearchSlots:
    """A worker's search slots and expensive-search turns (thread-safe)."""

    def __init__(self, searches: int, expensive: int, wait: float = TURN_WAIT) -> None:
        self._searches = threading.BoundedSemaphore(searches)
        self._expensive = threading.BoundedSemaphore(expensive)
        self._in_line = threading.BoundedSemaphore(expensive * (1 + WAITING_PER_TURN))
        self.wait = wait

    def enter(self, expensive: bool) -> bool:
        """Take a slot (and a turn if `expensive`); False if the worker is full, at once unless
        an expensive search is short enough a line to wait in."""
        if not self._searches.acquire(blocking=False):
            return False
        if not expensive:
            return True
        if self._in_line.acquire(blocking=False):
            if self._expensive.acquire(timeout=self.wait):
                return True
            self._in_line.release()
        self._searches.release()
        return False

    def leave(self, expensive: bool) -> None:
        if expensive:
            self._expensive.release()
            self._in_line.release()
        self._searches.release()


def init_app(app: Flask) -> None:
    app.extensions["fahras_slots"] = SearchSlots(
        int(app.config["FAHRAS_SEARCH_SLOTS"]),  # type: ignore[call-overload]
        int(app.config["FAHRAS_EXPENSIVE_SEARCHES"]),  # type: ignore[call-overload]
    )
    app.before_request(_enter)
    app.teardown_request(_leave)


def search_cost() -> int:
    """The cost of the search this request asks for (search/budget.py), from its `q`."""
    if "fahras_cost" not in g:
        g.fahras_cost = query_cost(parse_query(request.args.get("q", "")))
    return int(g.fahras_cost)


def _enter() -> Response | None:
    if request.endpoint not in SEARCH_ENDPOINTS:
        return None
    expensive = search_cost() >= EXPENSIVE_COST
    if not current_app.extensions["fahras_slots"].enter(expensive):
        response = make_response(error_answer(503, SEARCHES_BUSY))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    g.fahras_slot = expensive
    return None


def _leave(_: BaseException | None) -> None:
    expensive = g.pop("fahras_slot", None)
    if expensive is not None:
        current_app.extensions["fahras_slots"].leave(expensive)
