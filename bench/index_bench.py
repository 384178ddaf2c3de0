"""Indexing benchmark: the ANT multi-source corpus with --procs 1 and --procs 2, against plain
Whoosh in the same run.

Runs `fahras index --rebuild` as a subprocess and prints wall time, documents and words per
second, the CPU seconds of the process tree, the peak memory of the whole process tree (sampled
from /proc every 0.1 s, summing the indexer and its worker processes) and the index size; then
the same for plain Whoosh (a `\\w+` tokenizer and lowercase filter, title/body TEXT stored with
phrases, id unique, the same number of processes: bench/scale.py's reference) on the same file,
and our rate as a ratio of plain Whoosh's, by wall time and by CPU time (on a busy machine the
CPU ratio is the steadier one). Both read the corpus uncompressed, written once to --work.
Targets: 31,525 articles (8.1 M words) in at most 60 s and under 1 GB (issue 2); at least
0.9x plain Whoosh's rate (issue 11).

    python bench/index_bench.py [--corpus PATH] [--limit N] [--procs 1 2] [--work DIR]
"""

import argparse
import gzip
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "ant_multisource.jsonl.gz"

# bench/scale.py's reference, with the number of processes as its third argument.
PLAIN_WHOOSH = """
import json, sys
from whoosh import fields, index
from whoosh.analysis import RegexTokenizer, LowercaseFilter
corpus, folder, procs = sys.argv[1], sys.argv[2], int(sys.argv[3])
plain = RegexTokenizer(r"\\w+") | LowercaseFilter()
schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                       title=fields.TEXT(analyzer=plain, stored=True, phrase=True),
                       body=fields.TEXT(analyzer=plain, stored=True, phrase=True))
ix = index.create_in(folder, schema)
writer = (ix.writer(procs=procs, multisegment=True, limitmb=256) if procs > 1
          else ix.writer(limitmb=256))
with open(corpus, encoding="utf-8") as lines:
    for line in lines:
        record = json.loads(line)
        writer.add_document(id=str(record["id"]), title=record.get("title") or "",
                            body=record.get("body") or "")
writer.commit()
"""


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


def uncompressed(corpus: Path, limit: int | None, work: Path) -> Path:
    """The corpus (its first `limit` records) as plain JSON lines, which both indexers read."""
    work.mkdir(parents=True, exist_ok=True)
    target = work / f"corpus-{limit or 'all'}.jsonl"
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        out.writelines(itertools.islice(lines, limit))
    return target


def count_words(corpus: Path) -> tuple[int, int]:
    documents = words = 0
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            documents += 1
            words += len((record.get("title") or "").split()) + len(
                (record.get("body") or "").split()
            )
    return documents, words


def measure(name: str, command: list[str]) -> dict[str, float]:
    """Wall time, CPU time (the process and the children it waited for) and peak memory."""
    cpu_before = _children_cpu()
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.1)
    seconds = time.monotonic() - started
    cpu = _children_cpu() - cpu_before
    output = process.stdout.read() if process.stdout else b""
    if process.returncode != 0:
        raise SystemExit(f"{name} failed with status {process.returncode}: {output!r}")
    return {"seconds": seconds, "cpu": cpu, "peak": peak, "output": output}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(corpus: Path, procs: int, index_dir: Path) -> dict[str, float]:
    shutil.rmtree(index_dir, ignore_errors=True)
    command = [sys.executable, "-m", "search.cli", "index", str(corpus), "--index", str(index_dir)]
    command += ["--procs", str(procs), "--rebuild", "--json"]
    result = measure("fahras index", command)
    report = json.loads(result.pop("output"))
    size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
    return {**result, "size": size, "documents": report["documents"]}


def run_plain(corpus: Path, procs: int, index_dir: Path) -> dict[str, float]:
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    command = [sys.executable, "-c", PLAIN_WHOOSH, str(corpus), str(index_dir), str(procs)]
    result = measure("plain Whoosh", command)
    size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
    return {**result, "size": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="index only the first N records")
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "fahras-index-bench"
    )
    args = parser.parse_args()
    corpus = uncompressed(args.corpus, args.limit, args.work)
    documents, words = count_words(corpus)
    print(f"corpus: {args.corpus.name}: {documents:,} documents, {words:,} words")
    header = f"{'indexer':<12} {'procs':>5} {'wall s':>8} {'cpu s':>8} {'docs/s':>8} "
    print(header + f"{'words/s':>9} {'peak MB':>8} {'index MB':>9}")
    for procs in args.procs:
        ours = run(corpus, procs, args.work / f"procs{procs}")
        plain = run_plain(corpus, procs, args.work / f"plain{procs}")
        for name, result in (("fahras", ours), ("plain whoosh", plain)):
            print(
                f"{name:<12} {procs:>5} {result['seconds']:>8.1f} {result['cpu']:>8.1f} "
                f"{documents / result['seconds']:>8,.0f} {words / result['seconds']:>9,.0f} "
                f"{result['peak'] / 2**20:>8,.0f} {result['size'] / 2**20:>9,.0f}"
            )
        print(
            f"{'ratio':<12} {procs:>5} fahras/plain rate: {plain['seconds'] / ours['seconds']:.2f}x"
            f" by wall time, {plain['cpu'] / ours['cpu']:.2f}x by CPU time"
        )
    print("targets: <= 60 s and < 1,024 MB for the whole corpus; >= 0.9x plain Whoosh's rate")


if __name__ == "__main__":
    main()
