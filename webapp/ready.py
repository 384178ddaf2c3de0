"""Readiness for load balancers: `/readyz` says whether this worker answers searches at once.

`/healthz` says the worker lives; a worker that has not opened an index generation yet is alive
but its first search would wait, so `/readyz` answers 503 until one is open (asking starts the
opening in the background) and 200 with the generation once it is.
"""

from flask import Blueprint, Response, jsonify

from search.errors import IndexMissingError
from webapp.extension import engine

bp = Blueprint("ready", __name__)


@bp.get("/readyz")
def ready() -> tuple[Response, int]:
    try:
        generation = engine().readiness()
    except IndexMissingError as exc:
        response, status = jsonify(ready=False, reason=str(exc)), 503
    else:
        if generation is None:
            response, status = jsonify(ready=False, reason="opening the index"), 503
        else:
            response, status = jsonify(ready=True, generation=generation), 200
    response.headers["Cache-Control"] = "no-store"
    return response, status
