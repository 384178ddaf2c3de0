"""The app's bridge to the engine: one SearchEngine per worker process, and running a search.

The engine is opened on first use, not when the app is created: gunicorn may import the app
before forking (preload), and file handles must not be shared between workers. It is kept on
`app.extensions["fahras"]` and reused by every request and thread of the worker; the engine
itself notices commits from `fahras index` and reopens its searcher, so no restart is needed.
If the index does not exist yet, requests get a 503 and the next one tries again.
"""

import logging
import os
import threading
from pathlib import Path

from flask import Flask, current_app, request

from search.engine import SearchEngine
from search.errors import IndexMissingError
from search.stemmer import lexicon
from webapp import analytics
from webapp.inert import inert_result
from webapp.params import SearchParams, parse_search_args

log = logging.getLogger(__name__)


class Fahras:
    """Holds the worker's engine on `app.extensions["fahras"]`."""

    def __init__(self, index_dir: Path, answers_kept: int) -> None:
        self.index_dir = index_dir
        self.answers_kept = answers_kept
        self._engine: SearchEngine | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def engine(self) -> SearchEngine:
        """The worker's engine; raises IndexMissingError while there is no index."""
        engine = self._engine
        if engine is not None and self._pid == os.getpid():
            return engine
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                # A fork never reuses the parent's engine; commits are picked up in the background.
                self._engine = SearchEngine(
                    self.index_dir, reopen="background", answers_kept=self.answers_kept
                )
                self._pid = os.getpid()
            return self._engine

    def close(self) -> None:
        with self._lock:
            if self._engine is not None and self._pid == os.getpid():
                self._engine.close()
            self._engine = None


def init_app(app: Flask) -> None:
    index_dir = Path(str(app.config["FAHRAS_INDEX"]))
    app.extensions["fahras"] = Fahras(index_dir, int(app.config["FAHRAS_ANSWERS_KEPT"]))


def warm_up(app: Flask) -> None:
    """Open the index (its derived data is mapped) and load the stemmer's word counts before
    the first request (post_worker_init), so that request does not wait for either."""
    try:
        app.extensions["fahras"].engine().doc_count()
    except IndexMissingError as exc:
        log.warning("%s", exc)
    lexicon()


def engine() -> SearchEngine:
    return current_app.extensions["fahras"].engine()


def request_params() -> SearchParams:
    """The current request's search parameters (ParamError if one is bad)."""
    return parse_search_args(
        request.args.to_dict(flat=False),
        current_app.config["FAHRAS_PER_PAGE"],
        engine().fields.filter_names,
    )


def run_search(params: SearchParams) -> dict[str, object]:
    """The search as the JSON API returns it and the pages render it."""
    config = current_app.config
    wanted = params.request(
        per_page=config["FAHRAS_PER_PAGE"],
        facet_limit=config["FAHRAS_FACET_LIMIT"],
        fragment_size=config["FAHRAS_SNIPPET_CHARS"],
    )
    result = engine().search(wanted)
    analytics.record(wanted, result)
    return inert_result(result.as_dict())
