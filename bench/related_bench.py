"""Related-articles benchmark: latency of `engine.related(id)` on the 31,525 ANT articles.

300 documents drawn at random (seeded) from the whole index, each asked once for its five
related articles, cold for its own words, after a warm-up that opens the index and its term
lists. As a reference measured in the same run (the machine may be shared), each document's
title is also searched as a query: the ratio says what a related list costs next to a search.
Prints p50 / p95 / max of wall time, and of the calling thread's CPU time, which a busy
machine disturbs less. Target (issue 13): a few tens of milliseconds.

    python bench/related_bench.py [--index DIR] [--corpus PATH] [--documents N]
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from search.engine import SearchEngine, SearchRequest
from search.indexer import IndexOptions, index_sources
from search.store import index_exists

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "ant_multisource.jsonl.gz"
DOCUMENTS = 300


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(name: str, timings: list[float]) -> None:
    print(
        f"{name:<30} n={len(timings):<4} p50 {statistics.median(timings):6.1f} ms   "
        f"p95 {percentile(timings, 0.95):6.1f} ms   max {max(timings):6.1f} ms"
    )


def sample(engine: SearchEngine, count: int, seed: int = 13) -> list[tuple[str, str]]:
    """(id, title) of `count` documents drawn at random."""
    searcher = engine._current().searcher
    found = sorted((f["id"], f.get("title") or "") for f in searcher.all_stored_fields())
    return random.Random(seed).sample(found, count)


def timed(call: object) -> tuple[float, float]:
    """(wall, CPU) milliseconds of `call()`: on a shared machine the CPU time is the steadier."""
    started, cpu = time.perf_counter(), time.thread_time()
    call()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--index", type=Path, default=Path(tempfile.gettempdir()) / "fahras-query-bench"
    )
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    args = parser.parse_args()
    if not index_exists(args.index):
        print(f"indexing {args.corpus.name} into {args.index} …")
        index_sources([args.corpus], args.index, options=IndexOptions(procs=2))
    engine = SearchEngine(args.index)
    started = time.perf_counter()
    engine.search(SearchRequest(q="warm up"))
    engine._current().warm_up()  # the term lists, as a web worker reads them in the background
    print(f"index opened in {time.perf_counter() - started:.2f} s; {engine.doc_count():,} docs")
    chosen = sample(engine, args.documents)
    related = [timed(lambda doc_id=doc_id: engine.related(doc_id)) for doc_id, _ in chosen]
    searches = [timed(lambda q=title: engine.search(SearchRequest(q=q))) for _, title in chosen]
    for name, timings in (("related (5 articles)", related), ("reference: title search", searches)):
        report(f"{name}, wall", [wall for wall, _ in timings])
        report(f"{name}, CPU", [cpu for _, cpu in timings])
    ratio = statistics.median(w for w, _ in related) / statistics.median(w for w, _ in searches)
    print(f"related / search at p50 (wall): {ratio:.2f}; target: a few tens of ms (issue 13)")


if __name__ == "__main__":
    main()
