"""HTTP benchmark (issue 4 §5): gunicorn with our config serving ANT multi-source, 16 clients.

200 realistic searches (1-3 consecutive words of corpus titles, most with a facet, a date range,
a sort or a second page; half as htmx fragments of /search, half as /api/search) are asked in a
loop by 16 concurrent keep-alive clients for 30 s, after a 10 s warm-up that is not counted (each
worker reads its term lists in the background after opening the index), with no answers kept
(FAHRAS_ANSWERS_KEPT=0: the loop asks the 200 again and again; bench/wrk_bench.py measures both).
Prints requests/s, p50/p95/max latency and errors. Loopback only.
Targets: >= 100 requests/s, p95 <= 150 ms, zero errors (2-core machine).

    python bench/http_bench.py [--index DIR] [--corpus PATH] [--clients 16] [--seconds 30]
"""

import argparse
import random
import tempfile
from pathlib import Path

from query_bench import title_queries
from serving import (
    DEFAULT_CORPUS,
    DEFAULT_INDEX,
    Gunicorn,
    Request,
    Tally,
    ensure_index,
    latency_line,
    run_clients,
    search_requests,
)

QUERIES = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warm-up", type=float, default=10, help="seconds, not counted")
    args = parser.parse_args()
    ensure_index(args.corpus, args.index)
    requests = search_requests(title_queries(args.corpus, QUERIES))

    def pick(rng: random.Random) -> Request:
        return rng.choice(requests)

    log = Path(tempfile.gettempdir()) / "fahras-http-bench-gunicorn.log"
    with Gunicorn(args.index, log, {"FAHRAS_ANSWERS_KEPT": "0"}) as server:
        print(f"gunicorn on port {server.port}: {len(server.worker_pids())} workers; log {log}")
        run_clients(server.port, args.clients, args.warm_up, pick, Tally())
        tally = Tally()
        run_clients(server.port, args.clients, args.seconds, pick, tally)
    total = len(tally.all)
    print(f"{total:,} requests in {args.seconds:.0f} s: {total / args.seconds:.1f} requests/s")
    print(latency_line("all", tally.all))
    for kind, values in sorted(tally.latencies.items()):
        print(latency_line(kind, values))
    print(f"errors: {len(tally.errors)}", *tally.errors[:10], sep="\n  ")
    print("targets: >= 100 requests/s, p95 <= 150 ms, 0 errors (issue 4)")


if __name__ == "__main__":
    main()
