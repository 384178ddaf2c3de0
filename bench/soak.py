"""Soak test (issue 6 §4): gunicorn on ANT for minutes of mixed traffic while it is re-indexed.

32 keep-alive clients (loopback only) for --duration seconds (default 300) ask a mix of
  60%  searches as in bench/http_bench.py (title words with facets; fragments and /api/search),
  15%  hostile queries from issue 6 §1 (a 200, an Arabic 400/414 or a busy 503 is right),
  25%  autocomplete calls (/api/suggest with the first letters of a title word),
while `fahras index` re-indexes part of the corpus twice (REINDEXED articles with their bodies
changed, so each run updates them all) into a copy of the benchmark index being served.
Reports requests served, errors (target 0), p95 latency, worker restarts, the workers' memory
growth after warm-up (target < 10%) and how soon each re-index could be searched.

    python bench/soak.py [--duration 300] [--clients 32] [--index DIR] [--corpus PATH]
"""

import argparse
import gzip
import itertools
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from query_bench import title_queries
from serving import (
    DEFAULT_CORPUS,
    DEFAULT_INDEX,
    Gunicorn,
    Request,
    Tally,
    ensure_index,
    get,
    latency_line,
    percentile,
    run_clients,
    sampling,
    search_requests,
)

from webapp.memory import memory_mb

REINDEXED = 2000
MARKERS = ("سنجابية", "قنديلوس")  # made-up words, one per re-index run: found only once it is in
HOSTILE = [
    "q=" + quote("ب" * 10_000),
    "q=a%00b%01%1b%7f",
    "q=" + quote("\u200b\u200c\u200dكتاب\ufeff"),
    "q=%ED%A0%80",
    "q=%F0%9F%98",
    "q=" + quote('"((كتاب OR (الطفل'),
    "q=*",
    "q=%3F",
    "q=-",
    "q=" + quote("في من على إلى"),
    "q=" + quote("\u064e\u064f\u0650\u0651"),
    "q=" + quote("' OR 1=1; DROP TABLE docs; --"),
    "q=" + quote(r".*(a|b)+$^[\]{2,}"),
    "q=" + quote("<script>alert(1)</script>"),
    "q=" + quote(" ".join(["ال*", "مت*", "تع*"] * 8)),
    "q=" + quote(" ".join(f'"{w} {w}"' for w in ("في", "من", "على") * 4)),
    f"page={10**9}",
    f"per_page={10**6}",
    "from=2019-13-45",
    "colour=red",
    "category=" + quote("لا يوجد"),
    "q=a&q=b&page=1&page=x",
]
# A 503 is right too: an expensive query (24 prefixes, 12 phrases) finding its worker's turns
# taken is refused at once (webapp/slots.py).
CALM = frozenset({200, 400, 414, 503})


def traffic(corpus: Path) -> list[tuple[float, list[Request]]]:
    """(share, requests) of each kind: searches, hostile queries, completions."""
    hostile = [
        Request("hostile", f"{path}?{query}", headers, CALM)
        for query in HOSTILE
        for path, headers in (("/search", {"HX-Request": "true"}), ("/api/search", {}))
    ]
    rng = random.Random(11)
    words = [w for query in title_queries(corpus, 200, seed=5) for w in query.split()]
    prefixes = sorted({w[: rng.randint(1, min(5, len(w)))] for w in words})
    suggest = [Request("api/suggest", "/api/suggest?" + urlencode({"q": p})) for p in prefixes]
    return [(0.6, search_requests(title_queries(corpus, 200))), (0.15, hostile), (0.25, suggest)]


def changed_part(corpus: Path, folder: Path, marker: str) -> Path:
    """REINDEXED articles from all sources, each body ending with `marker`."""
    path = folder / f"part-{marker}.jsonl"
    with gzip.open(corpus, "rt", encoding="utf-8") as lines, path.open("w") as out:
        for line in itertools.islice(lines, 0, REINDEXED * 15, 15):
            record = json.loads(line)
            record["body"] = f"{record.get('body') or ''} {marker}"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


class Reindexer(threading.Thread):
    """Runs `fahras index` at the given moments, then times until its words can be found."""

    def __init__(self, port: int, index_dir: Path, runs: list[tuple[float, Path, str]]):
        super().__init__()
        self.port, self.index_dir, self.runs = port, index_dir, runs
        self.lines: list[str] = []

    def run(self) -> None:
        started = time.monotonic()
        for at, source, marker in self.runs:
            time.sleep(max(0.0, at - (time.monotonic() - started)))
            began = time.monotonic()
            command = [sys.executable, "-m", "search.cli", "index", str(source)]
            done = subprocess.run(
                [*command, "--index", str(self.index_dir), "--json"],
                capture_output=True,
                text=True,
            )
            took = time.monotonic() - began
            report = json.loads(done.stdout) if done.returncode == 0 else {}
            self.lines.append(
                f"re-index at {at:.0f} s: exit {done.returncode}, {took:.1f} s, "
                f"updated {report.get('updated', '?')}; searchable "
                f"{self._searchable_after(marker):.1f} s after the commit"
                + (f"\n  {done.stderr.strip()[-300:]}" if done.returncode else "")
            )

    def _searchable_after(self, marker: str) -> float:
        """Until ten searches in a row (each on a new connection: any worker) find every one."""
        began, streak = time.monotonic(), 0
        while streak < 10 and time.monotonic() - began < 60:
            status, body = get(self.port, f"/api/search?q={quote(marker)}&per_page=1")
            found = status == 200 and json.loads(body)["total"] == REINDEXED
            streak = streak + 1 if found else 0
            time.sleep(0.05)
        return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds (default 300)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    args = parser.parse_args()
    ensure_index(args.corpus, args.index)
    shares, kinds = zip(*traffic(args.corpus), strict=True)

    def pick(rng: random.Random) -> Request:
        return rng.choice(rng.choices(kinds, weights=shares)[0])

    with tempfile.TemporaryDirectory(prefix="fahras-soak-") as scratch:
        folder = Path(scratch)
        served = folder / "index"
        shutil.copytree(args.index, served)  # re-indexed during the soak: never the cache
        parts = [changed_part(args.corpus, folder, marker) for marker in MARKERS]
        memory: list[tuple[float, float, float]] = []  # (time, RSS, private), all workers
        with Gunicorn(served, folder / "gunicorn.log") as server:
            started, first_workers = time.monotonic(), len(server.worker_pids())

            def sample() -> None:
                pids = server.worker_pids()
                memory.append(
                    (
                        time.monotonic() - started,
                        sum(memory_mb(pid, "VmRSS") for pid in pids),
                        sum(memory_mb(pid) for pid in pids),
                    )
                )

            schedule = [(args.duration * 0.3, parts[0], MARKERS[0])]
            schedule.append((args.duration * 0.6, parts[1], MARKERS[1]))
            reindexer = Reindexer(server.port, served, schedule)
            tally = Tally()
            reindexer.start()
            with sampling(2.0, sample):
                run_clients(server.port, args.clients, args.duration, pick, tally)
            reindexer.join()
            restarts = server.workers_booted() - first_workers
            log = (folder / "gunicorn.log").read_text(errors="replace")
        report(args, tally, restarts, memory, reindexer.lines, log)


def report(
    args: argparse.Namespace,
    tally: Tally,
    restarts: int,
    memory: list[tuple[float, float, float]],
    reindexing: list[str],
    log: str,
) -> None:
    total = len(tally.all)
    print(f"{args.clients} clients for {args.duration:.0f} s")
    print(f"requests served: {total:,} ({total / args.duration:.1f}/s)")
    print(latency_line("all", tally.all))
    for kind, values in sorted(tally.latencies.items()):
        print(latency_line(kind, values))
    print(f"errors: {len(tally.errors)}", *tally.errors[:10], sep="\n  ")
    print(f"worker restarts: {restarts} (max_requests recycling and memory guard included)")
    warm = [m for m in memory if m[0] >= args.duration * 0.2]
    if len(warm) >= 4:
        tenth = max(1, len(warm) // 10)
        for column, name in ((1, "RSS"), (2, "private")):
            start = statistics.median(m[column] for m in warm[:tenth])
            end = statistics.median(m[column] for m in warm[-tenth:])
            print(
                f"workers' {name} memory after warm-up: {start:,.0f} MB -> {end:,.0f} MB "
                f"({(end - start) / start:+.1%}; peak {max(m[column] for m in warm):,.0f} MB)"
            )
    print(*reindexing, sep="\n")
    print(f"tracebacks in the gunicorn log: {log.count('Traceback')}")
    print(f"p95 overall {percentile(tally.all, 0.95):.0f} ms; targets: 0 errors, memory < +10%")


if __name__ == "__main__":
    main()
