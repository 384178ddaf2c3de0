"""Burst benchmark (issue 15): do cheap requests stay fast while expensive searches pile up?

Replays the security review's burst: BURST parallel `GET /search?q=الا* الب* الت* …` (24 prefixes
of ال + a letter, each a costly expansion) against a 2,000-article ANT index, served by gunicorn
with the repository's settings (webapp/gunicorn_conf.py, as `fahras serve` runs it). While the
burst runs, a prober asks `/healthz` and a static file every 50 ms. Prints their latencies
(p50/max) and the burst's (with its statuses: 200 with a notice, or a fast 503/429 when the
workers' search slots are taken). Loopback only: 127.0.0.1 is exempt from the rate limits, as the
review's client was. Target: /healthz under 200 ms during the burst.

    python bench/burst.py [--articles 2000] [--burst 32] [--rounds 3] [--api] [--index DIR]

`--api` sends the burst to /api/search instead (the review's second case: 64 with `--burst 64`).
"""

import argparse
import gzip
import http.client
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from serving import CACHE, DEFAULT_CORPUS, HOST, Gunicorn, ensure_index, latency_line

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلم"  # 24 letters: ال + each one
BURST_QUERY = " ".join(f"ال{letter}*" for letter in LETTERS)
PROBES = {"healthz": "/healthz", "static": "/static/css/fahras.css"}
TARGET_MS = 200


def first_articles(corpus: Path, count: int, folder: Path) -> Path:
    """The corpus's first `count` articles as a JSONL file (the source of the bench index)."""
    path = folder / f"ant-first-{count}.jsonl"
    if not path.exists():
        with gzip.open(corpus, "rt", encoding="utf-8") as source, path.open("w") as out:
            for number, line in enumerate(source):
                if number >= count:
                    break
                out.write(line)
    return path


def timed_get(port: int, path: str) -> tuple[float, int]:
    """(milliseconds, status) of one request on a fresh connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, status


def burst(port: int, size: int, path: str) -> tuple[list[float], Counter[int]]:
    """`size` parallel requests of `path`: their latencies and statuses."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def one() -> None:
        ms, status = timed_get(port, path)
        with lock:
            latencies.append(ms)
            statuses[status] += 1

    threads = [threading.Thread(target=one) for _ in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def probe(port: int, done: threading.Event, found: dict[str, list[float]]) -> None:
    """Ask each cheap path every 50 ms until `done`."""
    while not done.is_set():
        for name, path in PROBES.items():
            ms, status = timed_get(port, path)
            found.setdefault(name if status == 200 else f"{name} {status}", []).append(ms)
        done.wait(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--api", action="store_true", help="burst /api/search, not /search")
    parser.add_argument("--index", type=Path, default=None)
    args = parser.parse_args()
    endpoint = "/api/search" if args.api else "/search"
    path = f"{endpoint}?q={quote(BURST_QUERY)}"
    index_dir = args.index or CACHE / f"ant-first-{args.articles}"
    CACHE.mkdir(parents=True, exist_ok=True)
    ensure_index(first_articles(args.corpus, args.articles, CACHE), index_dir)

    log = Path(tempfile.gettempdir()) / "fahras-burst-gunicorn.log"
    with Gunicorn(index_dir, log) as server:
        print(f"gunicorn on port {server.port}: {len(server.worker_pids())} workers; log {log}")
        alone = [timed_get(server.port, path) for _ in range(3)]
        print(f"one burst search alone: {', '.join(f'{ms:.0f} ms ({s})' for ms, s in alone)}")
        quiet = [timed_get(server.port, "/healthz")[0] for _ in range(20)]
        print(latency_line("healthz, idle", quiet))
        found: dict[str, list[float]] = {}
        searches: list[float] = []
        statuses: Counter[int] = Counter()
        done = threading.Event()
        prober = threading.Thread(target=probe, args=(server.port, done, found))
        prober.start()
        try:
            for _ in range(args.rounds):
                latencies, counts = burst(server.port, args.burst, path)
                searches += latencies
                statuses += counts
        finally:
            done.set()
            prober.join()
    print(f"{args.rounds} bursts of {args.burst} × {endpoint}?q={BURST_QUERY[:24]}… (24 prefixes)")
    print(latency_line("burst searches", searches))
    print("burst statuses:", ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    for name, values in sorted(found.items()):
        print(latency_line(f"{name}, in burst", values))
    healthz = found.get("healthz", [])
    if healthz:
        verdict = "met" if max(healthz) < TARGET_MS else "NOT met"
        print(f"target: /healthz under {TARGET_MS} ms during the burst (max): {verdict}")
        ratio = statistics.median(healthz) / statistics.median(quiet)
        print(f"healthz p50 during / idle: {ratio:.1f}x")


if __name__ == "__main__":
    main()
