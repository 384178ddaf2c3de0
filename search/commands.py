"""What each `fahras` subcommand does; argument parsing lives in search/cli.py."""

import argparse
import html
import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

from search.analysis import explain
from search.engine import SearchEngine, SearchRequest
from search.errors import FahrasError, SourceError
from search.indexer import IndexOptions, IndexReport, index_sources
from search.loaders import LoadOptions
from search.progress import Progress
from search.store import index_exists, open_index, read_meta, writer_lock


def print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def index(args: argparse.Namespace) -> int:
    load_options = LoadOptions(
        encoding=args.encoding,
        field_map=_field_map(args.field),
        category_from_dir=args.category_from_dir,
    )
    options = IndexOptions(
        procs=max(1, args.procs),
        rebuild=args.rebuild,
        prune=args.prune,
        commit_every=max(1, args.commit_every),
        wait=args.wait,
    )
    progress = Progress()
    report = index_sources(
        args.sources,
        args.index,
        load_options,
        options,
        on_progress=progress.update,
        on_problem=lambda message: _problem(progress, message),
    )
    progress.finish()
    if args.json:
        print_json(report.as_dict())
    else:
        _print_report(report, args.index)
    if report.interrupted:
        return 130
    if args.strict and report.skipped:
        return 1
    return 1 if _nothing_indexed(report) else 0


def _nothing_indexed(report: IndexReport) -> bool:
    return report.added + report.updated + report.unchanged == 0 and report.deleted == 0


def _problem(progress: Progress, message: str) -> None:
    if progress.live and progress.shown_any:
        sys.stderr.write("\r\x1b[K")
    print(message, file=sys.stderr)


def _field_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise SourceError(
                f"--field {pair!r}: expected OURS=THEIRS, e.g. --field title=headline"
            )
        mapping[ours.strip()] = theirs.strip()
    return mapping


def _print_report(report: IndexReport, index_dir: Path) -> None:
    if report.interrupted:
        print("Interrupted: the index keeps everything committed before the interruption.")
    elif report.changed == 0:
        print("Nothing changed: the index is up to date.")
    print(
        f"added {report.added:,} · updated {report.updated:,} · unchanged {report.unchanged:,} · "
        f"skipped {len(report.skipped):,} · deleted {report.deleted:,} · "
        f"warnings {len(report.warnings):,}"
    )
    print(
        f"{report.documents:,} documents in {index_dir} ({_size(report.index_bytes)}), "
        f"{report.seconds:.1f} s"
    )
    if report.skipped:
        print(f"skipped records are listed above as file:line: reason ({len(report.skipped)})")


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "B" else f"{count:,.1f} {unit}"
        count /= 1024
    return f"{count} B"


def delete(args: argparse.Namespace) -> int:
    index_handle = open_index(args.index)
    with writer_lock(args.index):
        writer = index_handle.writer()
        deleted = sum(writer.delete_by_term("id", doc_id) for doc_id in args.ids)
        writer.commit()
    print(f"deleted {deleted} of {len(args.ids)} document(s)")
    return 0 if deleted else 1


def stats(args: argparse.Namespace) -> int:
    engine = SearchEngine(args.index)
    info = engine.stats()
    meta = read_meta(args.index)
    size = sum(p.stat().st_size for p in args.index.iterdir() if p.is_file())
    info |= {"index_bytes": size, "last_update": meta.get("last_update")}
    if args.json:
        print_json(info)
        return 0
    print(f"{info['documents']:,} documents · {_size(size)} · last update {info['last_update']}")
    print(f"dates: {info['date_min']} … {info['date_max']}")
    for name, counts in info["facets"].items():  # type: ignore[union-attr]
        if counts:
            top = ", ".join(f"{value} ({count:,})" for value, count in list(counts.items())[:10])
            more = f" … {len(counts) - 10:,} more" if len(counts) > 10 else ""
            print(f"{name}: {top}{more}")
    return 0


def analyze(args: argparse.Namespace) -> int:
    texts = sys.stdin.read().splitlines() if args.text == "-" else [args.text]
    for text in texts:
        reports = explain(text)
        if args.json:
            print_json([report.as_dict() for report in reports])
            continue
        for report in reports:
            r = report.as_dict()
            stem = "(stop word)" if r["stem"] is None else r["stem"]
            line = f"{r['token']}\t{r['start']}-{r['end']}\t{r['normalized']}\t{stem}"
            print("\t".join(filter(None, (line, report.notes()))))
    return 0


def search(args: argparse.Namespace) -> int:
    engine = SearchEngine(args.index)
    filters: dict[str, list[str]] = {}
    for pair in args.filter:
        name, sep, value = pair.partition("=")
        if not sep:
            raise FahrasError(f"--filter {pair!r}: expected FACET=VALUE, e.g. category=sport")
        filters.setdefault(name.strip(), []).append(value.strip())

    def request(query: str) -> SearchRequest:
        return SearchRequest(
            q=query,
            filters=filters,
            date_from=args.date_from,
            date_to=args.date_to,
            sort=args.sort,
            page=args.page,
            per_page=args.limit,
        )

    if args.query == "-":
        for line in sys.stdin:
            result = engine.search(request(line.rstrip("\n")))
            print_json(result.as_dict())
            sys.stdout.flush()
        return 0
    result = engine.search(request(args.query))
    if args.json:
        print_json(result.as_dict())
    else:
        _print_results(result.as_dict())
    return 0


def _print_results(result: dict) -> None:
    colour = sys.stdout.isatty()
    for notice in result["notices"]:
        print(f"note: {notice['message']}")
    if result["partial"]:
        print("No document has all the words; showing documents that match some of them.")
    print(
        f"{result['total']:,} results · page {result['page']}/{result['pages']} · "
        f"{result['took_ms']:.0f} ms"
    )
    if result["suggestion"]:
        print(f"did you mean: {result['suggestion']}")
    for number, hit in enumerate(result["results"], (result["page"] - 1) * result["per_page"] + 1):
        meta = " · ".join(filter(None, [(hit["date"] or "")[:10], ", ".join(hit["source"])]))
        print(f"\n{number}. {_terminal(hit['title'], colour, bold=True)}")
        if meta:
            print(f"   {meta}   [{hit['id']}]")
        print(f"   {_terminal(hit['snippet'], colour)}")


def _terminal(fragment: str, colour: bool, bold: bool = False) -> str:
    """Our safe HTML as terminal text: <mark> becomes colour (or [brackets] when piped)."""
    marked = _MARK.sub(lambda m: f"\x1b[1;33m{m[1]}\x1b[0m" if colour else f"[{m[1]}]", fragment)
    text = html.unescape(_TAG.sub("", marked)).replace("\n", " ")
    return f"\x1b[1m{text}\x1b[0m" if colour and bold else text


def suggest(args: argparse.Namespace) -> int:
    completions = SearchEngine(args.index).suggest(args.prefix, args.limit)
    if args.json:
        print_json(completions)
    else:
        print("\n".join(completions))
    return 0


def serve(args: argparse.Namespace) -> int:
    open_index(args.index)  # fail here, clearly, rather than in every worker
    return _gunicorn(args.index, args.host, args.port)


def demo(args: argparse.Namespace) -> int:
    sample = resources.files("search").joinpath("sample/articles.jsonl")
    with resources.as_file(sample) as path:
        fresh = not index_exists(args.index)
        report = index_sources([path], args.index, options=IndexOptions(rebuild=_stale(args.index)))
    what = "built" if fresh else ("updated" if report.changed else "up to date")
    print(f"sample index {what}: {report.documents} documents in {args.index}")
    return _gunicorn(args.index, args.host, args.port)


def _stale(index_dir: Path) -> bool:
    """An index built by another analysis version must be rebuilt before use."""
    try:
        open_index(index_dir)
    except FahrasError:
        return index_exists(index_dir)
    return False


def _gunicorn(index_dir: Path, host: str, port: int) -> int:
    env = dict(os.environ, FAHRAS_INDEX=str(Path(index_dir).resolve()))
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:webapp.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "webapp:create_app()",
    ]
    print(f"serving {index_dir} on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    return subprocess.call(command, env=env)
