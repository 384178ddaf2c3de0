"""How Fahras grows with the archive (issue 11 §3): N documents, from index to first answer.

For each N of --sizes: builds an N-document corpus from the three corpora in ../shared/corpus
(72,716 real articles, taken in turn from each; beyond them, replicas with new ids, their
sentences rotated and 1% of their words altered, so the vocabulary keeps growing), indexes it
with `fahras index --procs 2` and with plain Whoosh (a `\\w+` analyzer, same processes) in the
same run, and prints: index time and its ratio to plain Whoosh, peak memory, index size, the
first answer of a one-shot `fahras search` and of a web worker after launch, p50/p95 through
HTTP with one client for title queries, whole questions (../shared/eval) and the most frequent
words, and worker memory. With two sizes or more, it prints each figure's growth exponent (the
slope of log figure against log N) and its projection to 1,000,000 documents.

    python bench/scale.py [--sizes 30000 100000 300000] [--work DIR] [--queries 100]
    python bench/scale.py --sizes 300000 --work DIR --serving-only   # new search code, same index

300,000 documents take hours on a busy 2-core machine; --sizes 30000 runs in minutes.
"""

import argparse
import contextlib
import gzip
import itertools
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from index_bench import run as index_run
from index_bench import run_plain as index_run_plain
from query_bench import percentile, title_queries
from serving import HOST, ROOT, free_port, get
from startup import SEARCH, serve

from search.analysis import terms_of
from search.store import open_index

CORPORA = ROOT.parent / "shared" / "corpus"
SOURCES = ("ant_multisource.jsonl.gz", "ant_jawharafm.jsonl.gz", "saudinewsnet.jsonl.gz")
QUESTIONS = ROOT.parent / "shared" / "eval" / "arcd_train" / "queries.jsonl"
ALTERED = 0.01  # share of a replica's words with one letter changed
_SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+")
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def originals() -> Iterator[dict[str, object]]:
    """The real articles, one from each corpus in turn (so every N mixes all three)."""
    with contextlib.ExitStack() as files:
        streams = [
            files.enter_context(gzip.open(CORPORA / name, "rt", encoding="utf-8"))
            for name in SOURCES
        ]
        for lines in itertools.zip_longest(*streams):
            for line in lines:
                if line:
                    yield json.loads(line)


def replica(record: dict[str, object], copy: int, rng: random.Random) -> dict[str, object]:
    """A new article from an old one: new id, sentences rotated, 1% of words altered."""
    sentences = _SENTENCE_END.split(str(record.get("body") or ""))
    turn = copy % max(1, len(sentences))
    words = " ".join(sentences[turn:] + sentences[:turn]).split()
    for position in range(len(words)):
        if rng.random() < ALTERED and len(words[position]) > 2:
            word = words[position]
            at = rng.randrange(len(word))
            words[position] = word[:at] + rng.choice(_LETTERS) + word[at + 1 :]
    return record | {"id": f"{record['id']}~{copy}", "body": " ".join(words)}


def write_corpus(size: int, path: Path) -> Path:
    rng = random.Random(size)
    real = list(itertools.islice(originals(), size))
    with path.open("w", encoding="utf-8") as out:
        for record in real:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for number in range(size - len(real)):
            copy = 1 + number // len(real)
            fresh = replica(real[number % len(real)], copy, rng)
            out.write(json.dumps(fresh, ensure_ascii=False) + "\n")
    return path


def one_shot_search(index_dir: Path, repeat: int = 3) -> float:
    command = [sys.executable, "-m", "search.cli", "search", SEARCH, "--index", str(index_dir)]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def http_latencies(index_dir: Path, groups: dict[str, list[str]], log: Path) -> dict[str, float]:
    """p50/p95 (ms) per group of queries through /api/search, one client, after a warm-up."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf"]
    command += ["--bind", f"{HOST}:{port}"]
    # no answers kept: the warm-up's queries are measured again, and must be searched afresh
    env = {**os.environ, "FAHRAS_INDEX": str(index_dir), "FAHRAS_ANSWERS_KEPT": "0"}
    with log.open("w") as errors:
        server = subprocess.Popen(command, env=env, stderr=errors, cwd=ROOT)
    figures = {}
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if get(port, "/readyz")[0] == 200:
                    break
            time.sleep(0.2)
        for query in list(itertools.chain(*groups.values()))[:20]:
            get(port, f"/api/search?q={quote(query)}")
        for name, queries in groups.items():
            times = []
            for query in queries:
                started = time.perf_counter()
                get(port, f"/api/search?q={quote(query)}")
                times.append((time.perf_counter() - started) * 1000)
            figures[f"{name} p50 ms"] = statistics.median(times)
            figures[f"{name} p95 ms"] = percentile(times, 0.95)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return figures


def frequent_words(index_dir: Path, count: int) -> list[str]:
    with open_index(index_dir).reader() as reader:
        frequent = reader.most_frequent_terms("body", number=count * 4)
    words = [t.decode() if isinstance(t, bytes) else t for _, t in frequent]
    return [w for w in words if terms_of(w)[1] and not w.isdigit()][:count]


def measure(size: int, work: Path, queries: int, serving_only: bool) -> dict[str, float]:
    """Every figure for N = `size`; with `serving_only`, only those of answering, from the
    corpus and index an earlier run left in `work` (new search code, same index)."""
    corpus, index_dir = work / f"corpus-{size}.jsonl", work / f"index-{size}"
    if serving_only:
        if not (corpus.exists() and index_dir.exists()):
            raise SystemExit(f"--serving-only: no {corpus.name} and {index_dir.name} in {work}")
        return serving_figures(corpus, index_dir, work, queries)
    write_corpus(size, corpus)
    indexed = index_run(corpus, 2, index_dir)
    plain = index_run_plain(corpus, 2, work / f"plain-{size}")["seconds"]
    shutil.rmtree(work / f"plain-{size}", ignore_errors=True)
    figures = {
        "index s": indexed["seconds"],
        "rate vs plain Whoosh": plain / indexed["seconds"],
        "index peak MB": indexed["peak"] / 2**20,
        "index MB": sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 2**20,
    }
    return figures | serving_figures(corpus, index_dir, work, queries)


def serving_figures(corpus: Path, index_dir: Path, work: Path, queries: int) -> dict[str, float]:
    figures = {"CLI first answer s": one_shot_search(index_dir)}
    served = serve(index_dir, dict(os.environ), ROOT, work / "serve.log")
    figures["web first answer s"] = served.first_search or math.inf
    figures["worker private MB"] = max(w["private"] for w in served.workers)
    figures["worker RSS MB"] = max(w["rss"] for w in served.workers)
    questions = [json.loads(line)["query"] for line in QUESTIONS.open(encoding="utf-8")]
    groups = {
        "titles": title_queries(corpus_gz(corpus, work), queries),
        "questions": random.Random(7).sample(questions, min(queries, len(questions))),
        "frequent words": frequent_words(index_dir, min(queries, 50)),
    }
    figures |= http_latencies(index_dir, groups, work / "latency.log")
    return figures


def corpus_gz(corpus: Path, work: Path) -> Path:
    """title_queries reads gzip'd JSONL."""
    packed = work / (corpus.name + ".gz")
    with corpus.open("rb") as source, gzip.open(packed, "wb", compresslevel=1) as out:
        shutil.copyfileobj(source, out)
    return packed


def growth(sizes: list[int], values: list[float]) -> tuple[float, float]:
    """The least-squares slope of log(value) on log(N), and the value it projects at 1M."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(v, 1e-9)) for v in values]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return slope, values[-1] * (1_000_000 / sizes[-1]) ** slope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000, 100_000, 300_000])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "fahras-scale")
    parser.add_argument("--queries", type=int, default=100, help="per group")
    parser.add_argument(
        "--serving-only",
        action="store_true",
        help="measure answering only, on the corpora and indexes an earlier run left in --work",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f}; work folder {args.work}", flush=True)
    table: dict[str, list[float]] = {}
    for size in args.sizes:
        figures = measure(size, args.work, args.queries, args.serving_only)
        print(f"N = {size:,}", flush=True)
        for name, value in figures.items():
            print(f"  {name:<26} {value:10.2f}", flush=True)
            table.setdefault(name, []).append(value)
    if len(args.sizes) > 1:
        print(f"{'figure':<26} {'exponent':>9} {'at 1M':>12}")
        for name, values in table.items():
            exponent, projected = growth(args.sizes, values)
            print(f"{name:<26} {exponent:9.2f} {projected:12.2f}")


if __name__ == "__main__":
    main()
