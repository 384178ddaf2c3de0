"""MRR@10 and Recall@10 of the end-to-end search on the Arabic retrieval test sets.

For each set in ../shared/eval/ (docs.jsonl, queries.jsonl) this builds an index of the
paragraphs alone ("alone") and of the paragraphs plus the 31,525 ANT news articles as
non-relevant documents ("archive"), then runs every query through SearchEngine.search, the
query parser included, exactly as a reader's query would run, and prints the scores beside the
plain-BM25 reference rows of ../shared/eval/README.md.

Built indexes are cached under --work and reused: ranking changes happen at query time and need
no re-indexing. Use --rebuild after changing the analysis.

    .venv/bin/python bench/relevance.py [--sets xquad_ar arcd_train] [--scale alone|archive|both]
"""

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from search.analysis import ANALYSIS_VERSION
from search.engine import SearchEngine, SearchRequest
from search.indexer import IndexOptions, index_sources
from search.loaders import LoadOptions
from search.store import index_exists, read_meta

EVAL_DIR = Path("/work/shared/eval")
ARCHIVE = Path("/work/shared/corpus/ant_multisource.jsonl.gz")
SETS = ("xquad_ar", "arcd_train")
SCALES = ("alone", "archive")
DEPTH = 10

# MRR@10 reference rows copied from /work/shared/eval/README.md ("Plain BM25 (k1=1.2, b=0.75)
# over title+text"), per (set, scale).
REFERENCES = {
    "\\w+ tokens, lowercase": {
        ("xquad_ar", "alone"): 0.867,
        ("arcd_train", "alone"): 0.664,
        ("xquad_ar", "archive"): 0.784,
        ("arcd_train", "archive"): 0.533,
    },
    "Lucene ArabicAnalyzer rules": {
        ("xquad_ar", "alone"): 0.921,
        ("arcd_train", "alone"): 0.791,
        ("xquad_ar", "archive"): 0.820,
        ("arcd_train", "archive"): 0.659,
    },
}


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def ensure_index(work: Path, name: str, scale: str, rebuild: bool) -> Path:
    """The index of one set at one scale: built once, then reused."""
    index_dir = work / f"{name}-{scale}"
    current = read_meta(index_dir).get("analysis_version") == ANALYSIS_VERSION
    if index_exists(index_dir) and current and not rebuild:
        print(f"note: reusing {index_dir} (--rebuild to build it afresh)", file=sys.stderr)
        return index_dir
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    sources = [EVAL_DIR / name / "docs.jsonl"] + ([ARCHIVE] if scale == "archive" else [])
    print(f"indexing {name} ({scale}) into {index_dir} ...", file=sys.stderr)
    report = index_sources(
        sources, index_dir, LoadOptions(field_map={"body": "text"}), IndexOptions(procs=2)
    )
    print(f"  {report.documents} documents in {report.seconds:.0f} s", file=sys.stderr)
    return index_dir


def evaluate(index_dir: Path, queries: list[dict]) -> tuple[float, float, float]:
    """(MRR@10, Recall@10, queries per second) over all queries."""
    engine = SearchEngine(index_dir)
    reciprocal_ranks = recalls = 0.0
    started = time.perf_counter()
    for item in queries:
        result = engine.search(SearchRequest(q=item["query"], per_page=DEPTH))
        ranked = [hit.id for hit in result.hits]
        relevant = set(item["relevant"])
        first = next((rank for rank, doc in enumerate(ranked, 1) if doc in relevant), None)
        reciprocal_ranks += 1 / first if first else 0.0
        recalls += len(relevant.intersection(ranked)) / len(relevant)
    seconds = time.perf_counter() - started
    engine.close()
    count = len(queries)
    return reciprocal_ranks / count, recalls / count, count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--scale", default="both", choices=(*SCALES, "both"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/fahras-relevance"))
    parser.add_argument("--rebuild", action="store_true", help="build the indexes afresh")
    args = parser.parse_args()
    scales = SCALES if args.scale == "both" else (args.scale,)

    rows = []
    for scale in scales:
        for name in args.sets:
            index_dir = ensure_index(args.work, name, scale, args.rebuild)
            queries = read_jsonl(EVAL_DIR / name / "queries.jsonl")
            mrr, recall, qps = evaluate(index_dir, queries)
            rows.append((name, scale, len(queries), mrr, recall, qps))

    print(f"{'set':<12} {'scale':<8} {'queries':>7} {'MRR@10':>7} {'R@10':>6} {'q/s':>6}", end="")
    for label in REFERENCES:
        print(f"  {label[:14]:>14}", end="")
    print()
    for name, scale, count, mrr, recall, qps in rows:
        print(f"{name:<12} {scale:<8} {count:>7} {mrr:>7.3f} {recall:>6.3f} {qps:>6.0f}", end="")
        for reference in REFERENCES.values():
            print(f"  {reference[(name, scale)]:>14.3f}", end="")
        print()
    print(f"references: MRR@10 rows of {EVAL_DIR / 'README.md'} (plain BM25 k1=1.2, b=0.75)")


if __name__ == "__main__":
    main()
