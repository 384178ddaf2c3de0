"""MRR@10 and Recall@10 of the end-to-end search on the Arabic retrieval test sets.

Every set in ../shared/eval/ (docs.jsonl, queries.jsonl) is measured twice: on its documents
alone ("alone") and among the 31,525 ANT news articles as non-relevant documents ("archive").
Every query runs through SearchEngine.search, the query parser included, exactly as a reader's
query would run; the table shows the Lucene ArabicAnalyzer reference of ../shared/eval/README.md
beside each column.

Indexes are built once and cached under bench/out/ (git-ignored): stems, stop words and ranking
are decided at query time, so only a normalization change (a new ANALYSIS_VERSION) rebuilds them.
The news articles are indexed once and copied under each set's archive index.

    .venv/bin/python bench/relevance.py [--sets xquad_ar ...] [--scale alone|archive|both]
        [--save NAME] [--compare BEFORE AFTER] [--set ranking.TITLE_BOOST=0.8 ...]

--save keeps a run (scores and every query's reciprocal rank) as bench/out/runs/NAME.json;
--compare prints two saved runs side by side with their differences; --set overrides a constant
of the search modules for this run only, to measure a change before making it.
"""

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import search
from search.analysis import ANALYSIS_VERSION
from search.engine import SearchEngine, SearchRequest
from search.indexer import IndexOptions, index_sources
from search.loaders import LoadOptions
from search.store import index_exists, read_meta

EVAL_DIR = Path("/work/shared/eval")
ARCHIVE = Path("/work/shared/corpus/ant_multisource.jsonl.gz")
OUT = Path(__file__).resolve().parent / "out"
SETS = ("xquad_ar", "arcd_train", "xquad_r_ar")
SCALES = ("alone", "archive")
DEPTH = 10
# Relevance, not speed: searches here never reach their time budget, which on a busy machine
# would cut the proximity re-ranking short and move the figures with the load.
BUDGET = 3600.0  # seconds
LOAD = LoadOptions(field_map={"body": "text"})

# MRR@10 of plain BM25 (k1=1.2, b=0.75) over title+text with Lucene's ArabicAnalyzer rules,
# copied from /work/shared/eval/README.md.
LUCENE = {
    ("xquad_ar", "alone"): 0.921,
    ("arcd_train", "alone"): 0.791,
    ("xquad_r_ar", "alone"): 0.738,
    ("xquad_ar", "archive"): 0.820,
    ("arcd_train", "archive"): 0.659,
    ("xquad_r_ar", "archive"): 0.648,
}


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _current(index_dir: Path) -> bool:
    version = read_meta(index_dir).get("analysis_version") if index_exists(index_dir) else None
    return version == ANALYSIS_VERSION


def _build(index_dir: Path, sources: list[Path], base: Path | None = None) -> None:
    shutil.rmtree(index_dir, ignore_errors=True)
    if base is not None:
        shutil.copytree(base, index_dir)
    else:
        index_dir.mkdir(parents=True)
    print(f"indexing {[s.name for s in sources]} into {index_dir} ...", file=sys.stderr)
    report = index_sources(sources, index_dir, LOAD, IndexOptions(procs=2))
    print(f"  {report.documents} documents in {report.seconds:.0f} s", file=sys.stderr)


def ensure_index(name: str, scale: str, rebuild: bool) -> Path:
    """The index of one set at one scale: built once (news articles once for all), then reused."""
    index_dir = OUT / "indexes" / f"{name}-{scale}"
    if _current(index_dir) and not rebuild:
        return index_dir
    docs = EVAL_DIR / name / "docs.jsonl"
    if scale == "alone":
        _build(index_dir, [docs])
        return index_dir
    news = OUT / "indexes" / "news"
    if not _current(news) or rebuild:
        _build(news, [ARCHIVE])
    _build(index_dir, [docs], base=news)
    return index_dir


def evaluate(index_dir: Path, queries: list[dict]) -> dict[str, object]:
    """MRR@10, Recall@10, queries per second and every query's reciprocal rank."""
    engine = SearchEngine(index_dir)
    ranks: dict[str, float] = {}
    recall = 0.0
    started = time.perf_counter()
    for item in queries:
        result = engine.search(SearchRequest(q=item["query"], per_page=DEPTH))
        ranked = [hit.id for hit in result.hits]
        relevant = set(item["relevant"])
        first = next((rank for rank, doc in enumerate(ranked, 1) if doc in relevant), None)
        ranks[item["qid"]] = 1 / first if first else 0.0
        recall += len(relevant.intersection(ranked)) / len(relevant)
    seconds = time.perf_counter() - started
    engine.close()
    count = len(queries)
    return {
        "mrr": sum(ranks.values()) / count,
        "recall": recall / count,
        "qps": count / seconds,
        "ranks": ranks,
    }


def override(assignment: str) -> None:
    """Set NAME to a value in every loaded search module that has it (`ranking.K1=1.5`)."""
    target, _, raw = assignment.partition("=")
    module_name, _, name = target.rpartition(".")
    value = json.loads(raw)
    owner = sys.modules.get(f"search.{module_name}")
    if owner is None or not hasattr(owner, name):
        raise SystemExit(f"relevance: error: no constant {target} to set")
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("search") and hasattr(module, name):
            setattr(module, name, value)


def print_table(runs: list[tuple[str, dict]]) -> None:
    """One row per set and scale: each run's MRR@10 and R@10, the Lucene reference, deltas."""
    keys = [key for key in LUCENE if any(key_name(key) in run for _, run in runs)]
    header = f"{'set':<11} {'scale':<8}"
    for label, _ in runs:
        header += f" {label[:12]:>12} {'R@10':>6}"
    header += f" {'Lucene':>7} {'vs Lucene':>9}"
    if len(runs) == 2:
        header += f" {'change':>7}"
    print(header)
    sums = [0.0] * len(runs)
    for key in keys:
        line = f"{key[0]:<11} {key[1]:<8}"
        for i, (_, run) in enumerate(runs):
            column = run.get(key_name(key))
            line += f" {column['mrr']:>12.3f} {column['recall']:>6.3f}" if column else " " * 20
            sums[i] += column["mrr"] if column else 0.0
        last = runs[-1][1].get(key_name(key))
        line += f" {LUCENE[key]:>7.3f} {last['mrr'] - LUCENE[key]:>+9.3f}" if last else ""
        if len(runs) == 2 and last and runs[0][1].get(key_name(key)):
            line += f" {last['mrr'] - runs[0][1][key_name(key)]['mrr']:>+7.3f}"
        print(line)
    if len(keys) == len(LUCENE):
        lucene = sum(LUCENE.values()) / len(LUCENE)
        line = f"{'mean':<20}" + "".join(f" {s / len(keys):>12.3f} {'':>6}" for s in sums)
        line += f" {lucene:>7.3f} {sums[-1] / len(keys) - lucene:>+9.3f}"
        if len(runs) == 2:
            line += f" {(sums[1] - sums[0]) / len(keys):>+7.3f}"
        print(line)
    print(f"Lucene: MRR@10 of plain BM25 with its ArabicAnalyzer, {EVAL_DIR / 'README.md'}")


def key_name(key: tuple[str, str]) -> str:
    return f"{key[0]}/{key[1]}"


def load_run(name: str) -> dict:
    path = OUT / "runs" / f"{name}.json"
    if not path.is_file():
        raise SystemExit(f"relevance: error: no saved run {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--scale", default="both", choices=(*SCALES, "both"))
    parser.add_argument("--rebuild", action="store_true", help="build the indexes afresh")
    parser.add_argument("--save", metavar="NAME", help="keep this run as bench/out/runs/NAME.json")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="saved runs")
    parser.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=JSON")
    args = parser.parse_args()
    if args.compare:
        print_table([(name, load_run(name)) for name in args.compare])
        return
    scales = SCALES if args.scale == "both" else (args.scale,)
    indexes = {(n, s): ensure_index(n, s, args.rebuild) for s in scales for n in args.sets}
    for assignment in [f"budget.REQUEST_BUDGET={BUDGET}", *args.set]:
        override(assignment)
    run: dict[str, dict] = {}
    for (name, scale), index_dir in indexes.items():
        run[key_name((name, scale))] = evaluate(
            index_dir, read_jsonl(EVAL_DIR / name / "queries.jsonl")
        )
        column = run[key_name((name, scale))]
        print(
            f"  {name} {scale}: MRR@10 {column['mrr']:.3f} R@10 {column['recall']:.3f} "
            f"({column['qps']:.0f} q/s)",
            file=sys.stderr,
        )
    if args.save:
        (OUT / "runs").mkdir(parents=True, exist_ok=True)
        (OUT / "runs" / f"{args.save}.json").write_text(json.dumps(run), encoding="utf-8")
    print_table([(args.save or "this run", run)])
    print(f"search package: {Path(search.__file__).parent}")


if __name__ == "__main__":
    main()
