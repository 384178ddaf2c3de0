"""Query benchmark: latency of the full search (facets + highlighted snippets) on ANT.

500 queries: 450 of 1-3 consecutive words drawn from the corpus titles (seeded, so every run
asks the same) plus the 50 most frequent non-stop words of the index, which match most of the
archive. Each is run once, cold for its terms, after a short warm-up that opens the index.
Prints p50 / p95 / max for all queries and for the frequent words alone.
Targets (issue 3): p50 <= 15 ms, p95 <= 50 ms, <= 100 ms even for the frequent words.

    python bench/query_bench.py [--index DIR] [--corpus PATH]
"""

import argparse
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from search.analysis import terms_of
from search.engine import SearchEngine, SearchRequest
from search.indexer import IndexOptions, index_sources
from search.store import index_exists
from search.tokenize import iter_tokens

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "ant_multisource.jsonl.gz"
TITLE_QUERIES = 450
FREQUENT_WORDS = 50


def title_queries(corpus: Path, count: int, seed: int = 42) -> list[str]:
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        titles = [json.loads(line).get("title") or "" for line in lines]
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        words = [t for t, _, _ in iter_tokens(rng.choice(titles)) if terms_of(t)[1]]
        if words:
            size = rng.randint(1, min(3, len(words)))
            start = rng.randrange(len(words) - size + 1)
            queries.append(" ".join(words[start : start + size]))
    return queries


def frequent_words(engine: SearchEngine, count: int) -> list[str]:
    with engine._reading() as (_, searcher):
        frequent = searcher.reader().most_frequent_terms("body", number=count * 4)
    words = [term.decode() if isinstance(term, bytes) else term for _, term in frequent]
    return [w for w in words if terms_of(w)[1] and not w.isdigit()][:count]


def in_checkout(script: str, checkout: Path, index_dir: Path, payload: object) -> object:
    """`script --child --index DIR` run with `checkout`'s search package: `payload` in as JSON on
    stdin, the child's JSON answer out, so two versions of Fahras are compared in one run."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, script, "--child", "--index", str(index_dir)]
    done = subprocess.run(
        command, input=json.dumps(payload), env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        name = Path(script).stem
        raise SystemExit(f"{name}: error: {checkout}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(name: str, timings: list[float]) -> None:
    print(
        f"{name:<22} n={len(timings):<4} p50 {statistics.median(timings):6.1f} ms   "
        f"p95 {percentile(timings, 0.95):6.1f} ms   max {max(timings):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--index", type=Path, default=Path(tempfile.gettempdir()) / "fahras-query-bench"
    )
    args = parser.parse_args()
    if not index_exists(args.index):
        print(f"indexing {args.corpus.name} into {args.index} …")
        index_sources([args.corpus], args.index, options=IndexOptions(procs=2))
    engine = SearchEngine(args.index)
    started = time.perf_counter()
    engine.search(SearchRequest(q="warm up"))
    print(
        f"index opened in {time.perf_counter() - started:.2f} s; {engine.doc_count():,} documents"
    )
    frequent = frequent_words(engine, FREQUENT_WORDS)
    queries = title_queries(args.corpus, TITLE_QUERIES) + frequent
    timings: list[float] = []
    for query in queries:
        started = time.perf_counter()
        result = engine.search(SearchRequest(q=query, per_page=10))
        timings.append((time.perf_counter() - started) * 1000)
        assert result.facets and len(result.hits) <= 10
    report(f"all {len(queries)} queries", timings)
    report("title queries", timings[:TITLE_QUERIES])
    report("50 frequent words", timings[TITLE_QUERIES:])
    print("targets: p50 <= 15 ms, p95 <= 50 ms, frequent words <= 100 ms (issue 3)")
    print("frequent words:", " ".join(frequent[:12]), "…")


if __name__ == "__main__":
    main()
