"""Do two checkouts of Fahras give the same answers? Every figure of a search, compared.

A change meant to make searching faster must not move a ranking: this runs the same queries
through SearchEngine.search of this checkout and of another (a `git archive` of main unpacked
in DIR, through PYTHONPATH) on one index, and compares totals, pages of hits (ids, scores,
highlighted titles and snippets), facet counts, `partial` and notices. Queries: title words,
the most frequent words, whole questions (../shared/eval), and each operator of the query
language (exclusions, phrases, exact forms, prefixes, OR, fields, facet and date filters),
sorted by relevance and by date, on the first page and deeper. Prints the differences and
exits 1 if there are any. The time budget of a search is lifted in both (a search cut short
by a busy machine answers less, whichever code runs it).

    python bench/same_answers.py --index DIR --checkout DIR [--count 150]
"""

import argparse
import json
import random
import sys
from pathlib import Path

from query_bench import DEFAULT_CORPUS, in_checkout, title_queries

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval" / "xquad_ar" / "queries.jsonl"


def requests(index_dir: Path, corpus: Path, count: int, seed: int = 11) -> list[dict]:
    """Search requests as keyword arguments of SearchRequest."""
    from search.engine import SearchEngine

    rng = random.Random(seed)
    titles = title_queries(corpus, count, seed)
    with EVAL.open(encoding="utf-8") as lines:
        questions = rng.sample([json.loads(line)["query"] for line in lines], count)
    engine = SearchEngine(index_dir)
    with engine._reading() as (_, searcher):
        frequent = [
            term.decode() if isinstance(term, bytes) else term
            for _, term in searcher.reader().most_frequent_terms("body", number=30)
        ]
    facets = engine.stats()["facets"]
    engine.close()
    categories = list(facets.get("category", {}))[:4] or ["x"]
    sources = list(facets.get("source", {}))[:4] or ["x"]
    found: list[dict] = [{"q": q} for q in titles + questions + frequent]
    found += [{"q": q, "page": 3} for q in frequent[:10] + titles[:20]]
    found += [{"q": q, "sort": "newest"} for q in titles[:20]]
    found += [{"q": q, "sort": "oldest", "page": 2} for q in frequent[:10]]
    for first, second in zip(titles[:40], titles[40:80], strict=True):
        a, b = first.split()[0], second.split()[0]
        found += [
            {"q": f"{first} -{b}"},
            {"q": f'"{first}"'},
            {"q": f"={a} {b}"},
            {"q": f"{a[:3]}* {b}"},
            {"q": f"{a} OR {b}"},
            {"q": f"title:{a} {b}"},
            {"q": f"{a} category:{rng.choice(categories)}"},
            {"q": f"{a} {b} date:2017..2019"},
            {"q": f"{first} zzqxv"},
            {"q": a, "filters": {"source": [rng.choice(sources)]}},
            {"q": f"{a} {b}", "filters": {"category": rng.sample(categories, 2)}},
            {"q": first, "date_from": "2018-01-01", "date_to": "2019-06-30"},
        ]
    found += [{"q": ""}, {"q": "", "filters": {"category": categories[:1]}}, {"q": "-" + titles[0]}]
    return found


def answer(index_dir: Path, wanted: list[dict]) -> list[dict]:
    """What this process's Fahras answers to each request, as plain data."""
    from search import budget
    from search import engine as engine_module
    from search.engine import SearchEngine, SearchRequest

    budget.REQUEST_BUDGET = engine_module.REQUEST_BUDGET = 3600.0  # type: ignore[misc]
    engine = SearchEngine(index_dir)
    answers = []
    for fields in wanted:
        result = engine.search(SearchRequest(**fields, per_page=20))
        answers.append(
            {
                "total": result.total,
                "partial": result.partial,
                "notices": [notice.as_dict() for notice in result.notices],
                "hits": [(hit.id, hit.score, hit.title, hit.snippet) for hit in result.hits],
                "facets": {
                    name: [(v.value, v.count, v.selected) for v in counts.values]
                    + [counts.truncated]
                    for name, counts in result.facets.items()
                },
                "suggestion": result.suggestion,
            }
        )
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--checkout", type=Path, help="the other checkout (required)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--count", type=int, default=150, help="title queries and questions")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(answer(args.index, json.loads(sys.stdin.read()))))
        return
    if args.checkout is None:
        parser.error("--checkout is required")
    wanted = requests(args.index, args.corpus, args.count)
    mine = in_checkout(__file__, ROOT, args.index, wanted)
    theirs = in_checkout(__file__, args.checkout.resolve(), args.index, wanted)
    differences = 0
    for fields, ours, other in zip(wanted, mine, theirs, strict=True):
        for key in ours:
            if ours[key] != other[key]:
                differences += 1
                print(f"{json.dumps(fields, ensure_ascii=False)}: {key} differs")
                print(f"  this checkout: {json.dumps(ours[key], ensure_ascii=False)[:600]}")
                print(f"  {args.checkout}: {json.dumps(other[key], ensure_ascii=False)[:600]}")
    print(f"{len(wanted)} searches compared; {differences} differences")
    raise SystemExit(1 if differences else 0)


if __name__ == "__main__":
    main()
