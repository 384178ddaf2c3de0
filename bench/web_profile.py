"""Where a /search answer's time goes in the worker (issue 11 §2): phase by phase, then cProfile.

The mix of bench/http_bench.py (title words of ANT with facets, dates, sorts and second pages;
half htmx fragments of /search, half /api/search) is answered in-process by a Flask test client,
after one warm-up pass, with no answers kept (the warm-up would answer them all). Times are the
CPU time of the answering thread (time.thread_time), which other work on the machine does not
inflate. Each request is timed whole, and split into the engine's search, the JSON-shaped answer
(as_dict + inert_result), the template data (presenter.search_context), the Jinja render and the
JSON encoding, measured on the same requests; the engine's search is split again by cProfile
into query evaluation, facet counting, highlighting and the rest.

    python bench/web_profile.py [--index DIR] [--queries 200] [--profile]
"""

import argparse
import cProfile
import pstats
import statistics
import time
from collections import defaultdict
from pathlib import Path

from flask import json, render_template
from query_bench import percentile, title_queries
from serving import DEFAULT_CORPUS, DEFAULT_INDEX, ensure_index, search_requests

from webapp import create_app
from webapp.extension import engine, request_params
from webapp.inert import inert_result
from webapp.presenter import search_context

ENGINE_PARTS = {  # cProfile's cumulative time of these functions, as shares of engine.search
    "evaluate (scorer)": "evaluate",
    "facet counts": "_facet_counts",
    "hits (stored + highlight)": "_hit",
    "did you mean": "did_you_mean",
}


def phases(app, path: str, fragment: bool) -> dict[str, float]:
    """One request's phases in ms, done as pages.search / api.search do them."""
    times: dict[str, float] = {}
    headers = {"HX-Request": "true"} if fragment else {}
    with app.test_request_context(path, headers=headers):
        clock = time.thread_time()
        params = request_params()
        config = app.config
        wanted = params.request(
            per_page=config["FAHRAS_PER_PAGE"],
            facet_limit=config["FAHRAS_FACET_LIMIT"],
            fragment_size=config["FAHRAS_SNIPPET_CHARS"],
        )
        found = engine().search(wanted)
        times["engine.search"], clock = _lap(clock)
        result = inert_result(found.as_dict())
        times["as_dict + inert"], clock = _lap(clock)
        if fragment:
            context = search_context(params, result, fields=engine().fields)
            times["search_context"], clock = _lap(clock)
            render_template("fragment.html", **context)
            times["jinja render"], clock = _lap(clock)
        else:
            json.dumps(result)
            times["json encode"], clock = _lap(clock)
    return times


def _lap(clock: float) -> tuple[float, float]:
    now = time.thread_time()
    return (now - clock) * 1000, now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top 30")
    args = parser.parse_args()
    ensure_index(args.corpus, args.index)
    requests = search_requests(title_queries(args.corpus, args.queries))
    app = create_app({"FAHRAS_INDEX": str(args.index), "FAHRAS_ANSWERS_KEPT": 0})
    client = app.test_client()
    for request in requests:  # warm-up: postings cached, templates compiled
        client.get(request.path, headers=request.headers)

    whole: dict[str, list[float]] = defaultdict(list)
    for request in requests:
        started = time.thread_time()
        response = client.get(request.path, headers=request.headers)
        assert response.status_code == 200, (response.status_code, request.path)
        whole[request.kind].append((time.thread_time() - started) * 1000)
    print(f"{len(requests)} requests of the mix, in-process (test client), CPU ms:")
    for kind, values in sorted(whole.items()):
        print(
            f"  whole {kind:<16} p50 {statistics.median(values):6.2f}   "
            f"p95 {percentile(values, 0.95):6.2f}   mean {statistics.fmean(values):6.2f}"
        )

    parts: dict[str, list[float]] = defaultdict(list)
    for request in requests:
        for name, ms in phases(app, request.path, "HX-Request" in request.headers).items():
            parts[name].append(ms)
    print("phases (mean CPU ms per request that has the phase):")
    for name, values in parts.items():
        print(f"  {name:<18} {statistics.fmean(values):6.2f}   p95 {percentile(values, 0.95):6.2f}")

    profiler = cProfile.Profile()
    profiler.enable()
    for request in requests:
        client.get(request.path, headers=request.headers)
    profiler.disable()
    stats = pstats.Stats(profiler)
    cumulative: dict[str, float] = defaultdict(float)
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        if filename.endswith(("search/engine.py", "search/scorer.py", "search/suggest.py")):
            cumulative[function] += row[3]
    search_total = cumulative["search"] or 1e-9
    print("inside engine.search (cProfile, share of its cumulative time):")
    for label, function in ENGINE_PARTS.items():
        print(f"  {label:<26} {100 * cumulative.get(function, 0.0) / search_total:5.1f}%")
    if args.profile:
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
