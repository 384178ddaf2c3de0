"""`fahras snapshot`, `fahras restore` and `fahras stats --queries`: running Fahras in production.

Argument parsing lives in search/cli.py; the work in search/snapshot.py and search/querylog.py.
"""

import argparse
from collections.abc import Callable

from search.commands import print_json
from search.errors import FahrasError
from search.querylog import QueryCount, QueryLog, QueryReport
from search.snapshot import SnapshotInfo, restore_snapshot, take_snapshot

NO_WORDS = "(no words)"


def snapshot(args: argparse.Namespace) -> int:
    info = take_snapshot(args.index, args.dest, link=not args.copy)
    _print_copy(info, f"snapshot of {args.index}", args.json)
    return 0


def restore(args: argparse.Namespace) -> int:
    info = restore_snapshot(args.source, args.index, link=not args.copy, wait=args.wait)
    _print_copy(info, f"restored {args.source}", args.json)
    return 0


def _print_copy(info: SnapshotInfo, what: str, as_json: bool) -> None:
    if as_json:
        print_json(info.as_dict())
        return
    kept = info.files - info.linked - info.copied
    how = f"{info.linked} hard-linked, {info.copied} copied" + (
        f", {kept} in place" if kept else ""
    )
    print(
        f"{what}: generation {info.generation}, {info.documents:,} documents, "
        f"{info.files} files ({info.bytes / 2**20:,.1f} MB; {how}) in {info.path}"
    )


def query_stats(args: argparse.Namespace) -> int:
    days = 30 if args.days is None else args.days
    limit = 20 if args.limit is None else args.limit
    if days < 1 or limit < 1:
        raise FahrasError("--days and --limit must be 1 or more")
    query_log = QueryLog(args.index)
    try:
        report = query_log.report(days=days, limit=limit)
    finally:
        query_log.close()
    if args.json:
        print_json(report.as_dict())
    else:
        _print_report(report)
    return 0


def _print_report(report: QueryReport) -> None:
    share = report.without_results / report.searches if report.searches else 0
    print(
        f"{report.searches:,} searches in the last {report.days} days, "
        f"{report.without_results:,} without results ({share:.0%})"
    )
    _print_counts("top queries", report.top, "avg results", lambda c: f"{c.results:g}")
    _print_counts("top queries without results", report.top_without_results, "filters",
                  lambda c: c.filters)  # fmt: skip
    print("\nslowest searches\n  ms\tresults\twhen\tquery")
    for slow in report.slowest:
        query = " ".join(filter(None, [slow.query or NO_WORDS, slow.filters]))
        print(f"  {slow.took_ms:.0f}\t{slow.results:,}\t{slow.at}\t{query}")
    print("\nsearches per day\n  day\tsearches\twithout results")
    for day in report.per_day:
        print(f"  {day.day}\t{day.searches:,}\t{day.without_results:,}")


def _print_counts(
    title: str, counts: list[QueryCount], column: str, detail: Callable[[QueryCount], str]
) -> None:
    print(f"\n{title}\n  searches\t{column}\tquery")
    for count in counts:
        print(f"  {count.searches:,}\t{detail(count)}\t{count.query or NO_WORDS}")
