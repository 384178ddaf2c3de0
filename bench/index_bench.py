"""Indexing benchmark: the ANT multi-source corpus with --procs 1 and --procs 2.

Runs `fahras index --rebuild` as a subprocess and prints wall time, documents and words per
second, the peak memory of the whole process tree (sampled from /proc every 0.1 s, summing
the indexer and its worker processes) and the index size.
Target (issue 2): 31,525 articles (8.1 M words) in at most 60 s, peak memory under 1 GB.

    python bench/index_bench.py [--corpus PATH] [--procs 1 2] [--work DIR]
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "ant_multisource.jsonl.gz"


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of `pid` and all its descendants."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def count_words(corpus: Path) -> tuple[int, int]:
    documents = words = 0
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            documents += 1
            words += len((record.get("title") or "").split()) + len(
                (record.get("body") or "").split()
            )
    return documents, words


def run(corpus: Path, procs: int, index_dir: Path) -> dict[str, float]:
    shutil.rmtree(index_dir, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "search.cli",
        "index",
        str(corpus),
        "--index",
        str(index_dir),
        "--procs",
        str(procs),
        "--rebuild",
        "--json",
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.1)
    seconds = time.monotonic() - started
    report = json.loads(process.stdout.read())
    if process.returncode != 0:
        raise SystemExit(f"indexing failed with status {process.returncode}: {report}")
    size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
    return {"seconds": seconds, "peak": peak, "size": size, "documents": report["documents"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "fahras-index-bench"
    )
    args = parser.parse_args()
    documents, words = count_words(args.corpus)
    print(f"corpus: {args.corpus.name}: {documents:,} documents, {words:,} words")
    print(f"{'procs':>5} {'wall s':>8} {'docs/s':>8} {'words/s':>9} {'peak MB':>8} {'index MB':>9}")
    for procs in args.procs:
        result = run(args.corpus, procs, args.work / f"procs{procs}")
        print(
            f"{procs:>5} {result['seconds']:>8.1f} {documents / result['seconds']:>8,.0f} "
            f"{words / result['seconds']:>9,.0f} {result['peak'] / 2**20:>8,.0f} "
            f"{result['size'] / 2**20:>9,.0f}"
        )
    print("target: <= 60 s and < 1,024 MB peak for the whole corpus (issue 2)")


if __name__ == "__main__":
    main()
