"""What each `fahras` subcommand does; argument parsing lives in search/cli.py."""

from __future__ import annotations  # IndexReport and Progress are imported lazily

import argparse
import contextlib
import json
import os
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from search.analysis import explain
from search.check import check_index, damage_message
from search.derived import write_derived
from search.engine import MAX_PER_PAGE, SearchEngine, SearchRequest
from search.errors import FahrasError, SourceError
from search.highlight import Marked
from search.preflight import check_sources
from search.store import index_exists, open_index, read_meta, record_file_sizes, writer_lock

if TYPE_CHECKING:  # the indexer and its loaders are imported by the commands that index only
    from search.indexer import IndexReport
    from search.progress import Progress


def print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


def index(args: argparse.Namespace) -> int:
    from search.indexer import IndexOptions, index_sources
    from search.loaders import LoadOptions
    from search.progress import Progress
    from search.settings import installed
    from search.settings_cli import prepare_index

    done = prepare_index(args, _print_report)  # --settings, --rebuild-from-index
    if done is not None:
        return done
    load_options = LoadOptions(
        encoding=args.encoding,
        field_map=_field_map(args.field),
        category_from_dir=args.category_from_dir,
    )
    check_sources(args.sources, load_options, installed(args.index).registry())
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
        on_phase=progress.phase,
    )
    progress.finish()
    _print_not_shown(report)
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


def _print_not_shown(report: IndexReport) -> None:
    """After the first examples of each reason, stderr gets one count line per reason."""
    for what, log in (("skipped", report.skipped), ("warnings", report.warnings)):
        for reason, count in log.not_shown().items():
            print(
                f"... and {count:,} more {what} ({reason}) not listed: only the first "
                f"{log.examples_per_reason} of each reason are",
                file=sys.stderr,
            )


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
        which = "the first of each reason are" if report.skipped.not_shown() else "they are"
        print(f"skipped records: {which} listed above as file:line: reason")


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
        record_file_sizes(args.index)
        write_derived(args.index, index_handle)
    print(f"deleted {deleted} of {len(args.ids)} document(s)")
    return 0 if deleted else 1


def stats(args: argparse.Namespace) -> int:
    if not args.queries and (args.days is not None or args.limit is not None):
        raise FahrasError("--days and --limit go with --queries (fahras stats --queries --days 7)")
    if args.queries:
        from search.ops_commands import query_stats

        return query_stats(args)
    engine = SearchEngine(args.index)
    try:
        info = engine.stats()
    finally:
        engine.close()
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
            print(f"{name} ({info['labels'][name]}): {top}{more}")  # type: ignore[index]
    return 0


def check(args: argparse.Namespace) -> int:
    """Read every file of the current generation: the way to find damage before a reader does."""
    if not index_exists(args.index):
        open_index(args.index)  # raises, saying how to build one
    report = check_index(args.index)
    for damage in report.damage:
        print(f"damaged: {damage}", file=sys.stderr)
    summary = (
        f"generation {report.generation}: {report.segments:,} segment(s), "
        f"{report.documents:,} documents, {report.terms:,} terms, {report.postings:,} postings, "
        f"{report.columns:,} columns read in {report.seconds:.1f} s"
    )
    if report.ok:
        print(f"OK: {args.index}, {summary}")
        return 0
    print(f"fahras: error: {damage_message(args.index, report.damage[0])}", file=sys.stderr)
    return 1


def analyze(args: argparse.Namespace) -> int:
    texts = sys.stdin.read().splitlines() if args.text == "-" else [args.text]
    analyze_text = SearchEngine(args.index).explain if args.index else explain
    for text in texts:
        reports = analyze_text(text)
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
    if args.related:
        from search.publishing_commands import related

        return related(args)
    if args.query is None:
        raise FahrasError("search needs a QUERY (or --related ID): see `fahras search --help`")
    _check_range("--limit", args.limit, 1, MAX_PER_PAGE)
    _check_range("--page", args.page, 1, None)
    with contextlib.closing(SearchEngine(args.index)) as engine:
        return _search(engine, args)


def _search(engine: SearchEngine, args: argparse.Namespace) -> int:
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
            typos=args.typos,
        )

    if args.query == "-":
        for line in sys.stdin:
            result = engine.search(request(line.rstrip("\n")))
            print_json(plain_result(result.as_dict()))
            sys.stdout.flush()
        return 0
    result = engine.search(request(args.query)).as_dict()
    if args.json:
        print_json(plain_result(result))
        return 0
    if result["page"] > result["pages"]:
        raise FahrasError(
            f"--page {result['page']} is past the last page ({result['pages']}) "
            f"of {_count(result['total'], 'result')}"
        )
    _print_results(result)
    return 0


def _check_range(option: str, value: int, low: int, high: int | None) -> None:
    if value < low or (high is not None and value > high):
        wanted = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise FahrasError(f"{option} must be {wanted}")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def plain_result(result: dict) -> dict:
    """The JSON answer for programs: titles and snippets as plain text, matches as spans.

    Each span is [start, end], character offsets into that hit's `title` or `snippet`.
    """
    for hit in result["results"]:
        for name in ("title", "snippet"):
            hit[name] = hit.pop(f"{name}_text")
    return result


def _print_results(result: dict) -> None:
    colour = sys.stdout.isatty()
    for notice in result["notices"]:
        print(f"note: {notice['message']}")
    if result["typos"]:
        print("note: --no-typos searches only for the typed words")
    if result["partial"]:
        print("No document has all the words; showing documents that match some of them.")
    print(
        f"{_count(result['total'], 'result')} · page {result['page']}/{result['pages']} · "
        f"{result['took_ms']:.0f} ms"
    )
    if result["suggestion"]:
        print(f"did you mean: {result['suggestion']}")
    for number, hit in enumerate(result["results"], (result["page"] - 1) * result["per_page"] + 1):
        title = Marked(hit["title_text"] or "(untitled)", tuple(hit["title_spans"]))
        snippet = Marked(hit["snippet_text"], tuple(hit["snippet_spans"]))
        meta = [(hit["date"] or "")[:10], ", ".join(hit["source"]), f"[{hit['id']}]"]
        print(f"\n{number}. {_terminal(title, colour, bold=True)}")
        print(f"   {' · '.join(filter(None, meta))}")
        if snippet.text:
            print(f"   {_terminal(snippet, colour)}")


def _terminal(text: Marked, colour: bool, bold: bool = False) -> str:
    """Matches in bold yellow on a terminal, in [brackets] when piped; one line."""
    rest = "\x1b[0;1m" if bold else "\x1b[0m"
    line = text.render("\x1b[1;33m", rest) if colour else text.render("[", "]")
    line = line.replace("\n", " ")
    return f"\x1b[1m{line}\x1b[0m" if colour and bold else line


def suggest(args: argparse.Namespace) -> int:
    _check_range("--limit", args.limit, 1, MAX_PER_PAGE)
    with contextlib.closing(SearchEngine(args.index)) as engine:
        completions = engine.suggest(args.prefix, args.limit)
    if args.json:
        print_json(completions)
    else:
        print("\n".join(completions))
    return 0


def serve(args: argparse.Namespace) -> int:
    open_index(args.index)  # fail here, clearly, rather than in every worker
    return _gunicorn(args.index, args.host, args.port)


def demo(args: argparse.Namespace) -> int:
    from search.indexer import IndexOptions, index_sources

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


def _gunicorn(index_dir: Path, host: str, port: int) -> NoReturn:
    """Become gunicorn (exec, same PID): a SIGTERM or Ctrl-C sent to `fahras serve` reaches
    gunicorn's own master, which stops its workers, instead of leaving an orphan serving."""
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
    sys.stderr.flush()
    os.execve(sys.executable, command, env)
