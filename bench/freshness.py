"""How soon a new article shows (issue 16 §6): from the commit to the first answer that has it.

Copies the ANT index to a temporary folder, serves the copy with gunicorn (our config), and
--rounds times adds one article with a word of its own with `fahras index` (a process of its own),
while pollers ask /api/search for that word on fresh connections (so every worker is asked).
The commit's moment is when the new table of contents appears (watched every 5 ms). Prints, per
round and as medians: commit → first answer showing it, and commit → the last answer that did
not (after it, every worker shows it). Idle first, then under load (16 clients searching, as
bench/http_bench.py). Targets: <= 2 s idle, <= 5 s under load. Loopback only.

    python bench/freshness.py [--index DIR] [--rounds 5]
"""

import argparse
import http.client
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
from urllib.parse import quote

from query_bench import title_queries
from serving import (
    DEFAULT_CORPUS,
    DEFAULT_INDEX,
    HOST,
    Gunicorn,
    Request,
    Tally,
    ensure_index,
    run_clients,
    search_requests,
)

from search.store import open_index

POLLERS = 4
GIVE_UP = 30.0  # seconds after the commit


def toc_time(index_dir: Path, generation: int, stop: threading.Event, out: list[float]) -> None:
    """When `_MAIN_<generation>.toc` appears (the commit), into `out`."""
    toc = index_dir / f"_MAIN_{generation}.toc"
    while not stop.is_set():
        if toc.exists():
            out.append(time.perf_counter())
            return
        time.sleep(0.005)


Seen = list[tuple[float, float, bool]]


def poll(port: int, word: str, stop: threading.Event, seen: Seen) -> None:
    """Ask for `word` on a new connection each time: (start, end, found) per answer."""
    path = f"/api/search?q={quote(word)}"
    while not stop.is_set():
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            found = answer.status == 200 and json.loads(answer.read())["total"] > 0
        except (OSError, http.client.HTTPException, ValueError):
            continue
        finally:
            connection.close()
        seen.append((started, time.perf_counter(), found))


def one_round(port: int, index_dir: Path, number: int, work: Path) -> tuple[float, float]:
    word = f"freshness{number}x{random.randrange(10**9)}"
    source = work / f"fresh{number}.jsonl"
    record = {"id": f"fresh-{word}", "title": f"خبر جديد {word}", "body": f"نص الخبر {word}"}
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    stop, commits, seen = threading.Event(), [], []  # type: ignore[var-annotated]
    generation = open_index(index_dir).latest_generation() + 1
    threads = [threading.Thread(target=toc_time, args=(index_dir, generation, stop, commits))]
    threads += [
        threading.Thread(target=poll, args=(port, word, stop, seen)) for _ in range(POLLERS)
    ]
    for thread in threads:
        thread.start()
    command = [sys.executable, "-m", "search.cli", "index", str(source), "--index", str(index_dir)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # as a deployment runs it
    deadline = time.perf_counter() + GIVE_UP
    while time.perf_counter() < deadline:
        time.sleep(0.05)
        if commits and any(found and end > commits[0] + 0.5 for _, end, found in seen):
            tail = [s for s in seen if s[0] > commits[0]]
            if len(tail) > 20 and all(found for _, _, found in tail[-20:]):
                break
    stop.set()
    for thread in threads:
        thread.join()
    committed = commits[0]
    first = min((end for _, end, found in seen if found), default=committed + GIVE_UP)
    missing = [start for start, _, found in seen if not found and start > committed]
    return first - committed, (max(missing) - committed) if missing else 0.0


def rounds(port: int, index_dir: Path, count: int, work: Path, label: str) -> None:
    firsts, everywhere = [], []
    for number in range(count):
        first, last = one_round(port, index_dir, len(list(work.iterdir())) + number, work)
        firsts.append(first)
        everywhere.append(last)
        print(f"  {label} {number + 1}: first answer {first:5.2f} s, all workers {last:5.2f} s")
    print(
        f"{label}: median first answer {statistics.median(firsts):.2f} s "
        f"(max {max(firsts):.2f}), median all workers {statistics.median(everywhere):.2f} s "
        f"(max {max(everywhere):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=16, help="searching under load")
    args = parser.parse_args()
    ensure_index(args.corpus, args.index)
    with tempfile.TemporaryDirectory(prefix="fahras-freshness-") as scratch:
        work = Path(scratch)
        index_dir = work / "index"
        shutil.copytree(args.index, index_dir)
        sources = work / "sources"
        sources.mkdir()
        requests = search_requests(title_queries(args.corpus, 200))

        def pick(rng: random.Random) -> Request:
            return rng.choice(requests)

        with Gunicorn(index_dir, work / "gunicorn.log") as server:
            print(f"gunicorn on port {server.port}: {len(server.worker_pids())} workers")
            rounds(server.port, index_dir, args.rounds, sources, "idle")
            load = threading.Thread(
                target=run_clients,
                args=(server.port, args.clients, args.rounds * 12 + 20, pick, Tally()),
            )
            load.start()
            time.sleep(3)
            rounds(server.port, index_dir, args.rounds, sources, f"under load ({args.clients})")
            load.join()
    print("targets: <= 2 s idle, <= 5 s under load (issue 16 §6)")


if __name__ == "__main__":
    main()
