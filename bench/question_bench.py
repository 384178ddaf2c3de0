"""What a query costs by its kind (issue 11 §2): rare words, frequent words, 2 words, 12 words.

Four sets of queries, chosen once from the index and the eval questions (seeded, so every
checkout is asked the same): words found in 2-5 documents, the most frequent non-stop words,
two consecutive content words of a title, and 12-word questions (../shared/eval, with their
stop words, as readers type them). Each set runs through SearchEngine.search (facets and
highlighted snippets included) in a fresh process, twice: "cold" (each query's postings read
for the first time, unless an earlier query shared a word) and "warm" (again, cached). Prints
p50/p95 per set, the share of the time spent matching (QueryScorer.evaluate), and the ratio of
the 12-word questions to the 2-word queries (target: at most 3).

With `--checkout DIR` the same processes run another checkout of Fahras (a `git archive` of
main unpacked in DIR) through PYTHONPATH, alternating with this one for --rounds rounds: a
same-run comparison on a busy machine. The index is only read, once through before the first
process starts, so that the first checkout measured does not pay the disk for both.

    python bench/question_bench.py --index DIR [--checkout DIR] [--rounds 2] [--count 40]
"""

import argparse
import gzip
import json
import os
import random
import sys
import time
from pathlib import Path

from query_bench import DEFAULT_CORPUS, in_checkout, percentile

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
QUESTION_SETS = ("xquad_ar", "arcd_train")
QUESTION_WORDS = 12
SETS = ("rare word", "frequent word", "2 words", "12 words")
RARE = range(2, 6)  # documents a rare word is found in


def choose_queries(index_dir: Path, corpus: Path, count: int, seed: int = 7) -> dict:
    """The four query sets, from this index (document frequencies) and the eval questions."""
    from search.analysis import terms_of
    from search.engine import SearchEngine
    from search.tokenize import iter_tokens

    rng = random.Random(seed)
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        titles = [json.loads(line).get("title") or "" for line in lines]
    engine = SearchEngine(index_dir)
    with engine._reading() as (_, searcher):
        reader = searcher.reader()
        frequent = [
            term.decode() if isinstance(term, bytes) else term
            for _, term in reader.most_frequent_terms("body", number=count * 4)
        ]
        rare: list[str] = []
        pairs: list[str] = []
        for title in rng.sample(titles, len(titles)):
            words = [t for t, _, _ in iter_tokens(title) if terms_of(t)[1] and not t.isdigit()]
            if len(pairs) < count and len(words) >= 2:
                start = rng.randrange(len(words) - 1)
                pairs.append(" ".join(words[start : start + 2]))
            for word in words:
                normalized = terms_of(word)[0]
                if len(rare) < count and reader.doc_frequency("body", normalized) in RARE:
                    rare.append(word)
            if len(rare) >= count and len(pairs) >= count:
                break
    engine.close()
    questions = []
    for name in QUESTION_SETS:
        with (EVAL / name / "queries.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                text = json.loads(line)["query"]
                if len(list(iter_tokens(text))) == QUESTION_WORDS:
                    questions.append(text)
    return {
        "rare word": rare,
        "frequent word": [w for w in frequent if terms_of(w)[1] and not w.isdigit()][:count],
        "2 words": pairs,
        "12 words": rng.sample(questions, min(count, len(questions))),
    }


def child(index_dir: Path, sets: dict[str, list[str]]) -> dict:
    """Run every set cold then warm in this process; ms per query, total and matching."""
    from search import scorer
    from search.engine import SearchEngine, SearchRequest

    matching = [0.0]
    evaluate = scorer.QueryScorer.evaluate

    def timed(self, parsed, deadline=None):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return evaluate(self, parsed, deadline)
        finally:
            matching[0] += time.perf_counter() - started

    scorer.QueryScorer.evaluate = timed  # type: ignore[method-assign]
    engine = SearchEngine(index_dir)
    engine.search(SearchRequest(q="تجربة"))  # opens the generation
    found: dict[str, dict[str, list[float]]] = {}
    for run in ("cold", "warm"):
        for name, queries in sets.items():
            times = found.setdefault(f"{name}|{run}", [])
            matched = found.setdefault(f"{name}|{run}|matching", [])
            for query in queries:
                matching[0] = 0.0
                started = time.perf_counter()
                engine.search(SearchRequest(q=query, per_page=10))
                times.append((time.perf_counter() - started) * 1000)
                matched.append(matching[0] * 1000)
    return found


def summary(label: str, timings: dict[str, list[float]]) -> None:
    print(label)
    for run in ("cold", "warm"):
        for name in SETS:
            values = timings[f"{name}|{run}"]
            matched = timings[f"{name}|{run}|matching"]
            print(
                f"  {run} {name:<14} n={len(values):<4} p50 {percentile(values, 0.5):7.1f} ms"
                f"   p95 {percentile(values, 0.95):7.1f} ms   matching p50 "
                f"{percentile(matched, 0.5):6.1f} ms  p95 {percentile(matched, 0.95):6.1f} ms"
            )
        long, short = timings[f"12 words|{run}"], timings[f"2 words|{run}"]
        print(
            f"  {run} 12 words / 2 words: p50 "
            f"{percentile(long, 0.5) / percentile(short, 0.5):.2f}x, p95 "
            f"{percentile(long, 0.95) / percentile(short, 0.95):.2f}x (target <= 3x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--checkout", type=Path, help="also measure this checkout of Fahras")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--count", type=int, default=40, help="queries in each set")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.index, json.loads(sys.stdin.read()))))
        return
    sets = choose_queries(args.index, args.corpus, args.count)
    checkouts = [("this checkout", ROOT)]
    if args.checkout:
        checkouts.append((f"checkout {args.checkout}", args.checkout.resolve()))
    for path in args.index.rglob("*"):  # into the page cache
        if path.is_file():
            with path.open("rb") as data:
                while data.read(1 << 24):
                    pass
    print(f"index {args.index}; load average {os.getloadavg()[0]:.1f} (a busy machine: compare)")
    print("  12-word question e.g.:", sets["12 words"][0])
    collected: dict[str, dict[str, list[float]]] = {label: {} for label, _ in checkouts}
    for _ in range(args.rounds):  # alternating, so a burst of load hits both alike
        for label, checkout in checkouts:
            for key, values in in_checkout(__file__, checkout, args.index, sets).items():
                collected[label].setdefault(key, []).extend(values)
    for label, _ in checkouts:
        summary(label, collected[label])


if __name__ == "__main__":
    main()
