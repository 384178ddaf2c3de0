"""The `fahras` command: index, search, suggest, analyze, stats, check, delete, serve, demo.

A thin face over the engine: it parses arguments, calls one engine function and prints the
result for a person (colour on a terminal) or for a program (`--json`). Engine errors
(FahrasError) become one line on stderr and exit status 1, never a traceback.
"""

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from search.check import damage_explained
from search.datafiles import check_data_files
from search.errors import FahrasError
from search.settings_cli import settings_command

DEFAULT_INDEX = os.environ.get("FAHRAS_INDEX", "index")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        check_data_files()
        if not isinstance(getattr(args, "index", None), Path):
            return handler(args)
        with damage_explained(args.index):  # a damaged file: one line naming it
            return handler(args)
    except FahrasError as exc:
        print(f"fahras: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fahras: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `fahras search ... | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # an unreadable index, a full disk: one line, not a traceback
        print(f"fahras: error: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    from search import commands

    parser = argparse.ArgumentParser(
        prog="fahras", description="Fahras: Arabic full-text search (index, search, serve)."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    def index_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--index",
            type=Path,
            default=Path(DEFAULT_INDEX),
            help=f"index folder (default: $FAHRAS_INDEX or {DEFAULT_INDEX!r})",
        )

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
        )
        p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")

    p = sub.add_parser("index", help="index files and folders of Arabic documents")
    p.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help=".jsonl .json .csv .tsv .txt (or .gz), or folders",
    )
    index_option(p)
    p.add_argument("--rebuild", action="store_true", help="start a new index instead of updating")
    p.add_argument("--procs", type=int, default=1, help="indexing processes (default 1)")
    p.add_argument(
        "--prune", action="store_true", help="remove documents their source no longer has"
    )
    p.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="OURS=THEIRS",
        help="map an input column/key to a field, e.g. title=headline",
    )
    p.add_argument(
        "--encoding", help="force the input encoding (default: detect UTF-8/UTF-16/cp1256)"
    )
    p.add_argument(
        "--category-from-dir",
        action="store_true",
        help="use each .txt file's folder name as its category",
    )
    p.add_argument("--strict", action="store_true", help="exit non-zero if any record was skipped")
    wait_option(p, "wait this long for another indexer to finish")
    p.add_argument(
        "--commit-every",
        type=int,
        default=100_000,
        metavar="N",
        help="commit after N changed documents (default 100000)",
    )
    p.add_argument("--json", action="store_true", help="print the final report as JSON")
    p.add_argument(
        "--settings", type=Path, metavar="FILE", help="install this settings file (TOML) first"
    )
    p.add_argument(
        "--rebuild-from-index",
        action="store_true",
        help="rebuild from the index's own stored documents (after a settings change)",
    )
    p.set_defaults(handler=commands.index)

    p = sub.add_parser("settings", help="show or check an index's settings file")
    p.add_argument("action", choices=("show", "check"), help="show: print it; check: validate it")
    p.add_argument("file", nargs="?", help="a settings file (default: the index's own)")
    index_option(p)
    p.add_argument("--json", action="store_true", help="print the settings as JSON")
    p.set_defaults(handler=settings_command)

    p = sub.add_parser("delete", help="remove documents by id")
    p.add_argument("ids", nargs="+", metavar="ID", help="document ids (fahras search shows them)")
    index_option(p)
    p.set_defaults(handler=commands.delete)

    p = sub.add_parser("stats", help="document count, facet values, date range, size")
    index_option(p)
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")
    add_query_stats_options(p)
    p.set_defaults(handler=commands.stats)
    add_operations_parsers(sub, index_option)

    p = sub.add_parser(
        "check", help="read every file of the index and report damage (exit 1) or say OK"
    )
    index_option(p)
    p.set_defaults(handler=commands.check)

    p = sub.add_parser("analyze", help="show how text is tokenized, normalized and stemmed")
    p.add_argument("text", help="the text, or - to read one item a line from stdin")
    p.add_argument("--index", type=Path, help="with this index's protected words and stems")
    p.add_argument("--json", action="store_true", help="print the tokens as JSON")
    p.set_defaults(handler=commands.analyze)

    p = sub.add_parser("search", help="search the index")
    p.add_argument(
        "query",
        nargs="?",
        help="the query (see README: query language), or - for one a line from stdin",
    )
    index_option(p)
    p.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="FACET=VALUE",
        help="facet filter (category, source, author, tags, year, month, and the index's own "
        "facets); repeat to combine",
    )
    p.add_argument(
        "--from", dest="date_from", metavar="DATE", help="earliest date (2020, 2020-04, 2020-04-16)"
    )
    p.add_argument("--to", dest="date_to", metavar="DATE", help="latest date, inclusive")
    p.add_argument(
        "--sort",
        choices=("relevance", "newest", "oldest"),
        default="relevance",
        help="order of the results (default: relevance)",
    )
    p.add_argument("--page", type=int, default=1, help="page of results to show (default 1)")
    p.add_argument("--limit", type=int, default=10, help="results per page, 1-100 (default 10)")
    p.add_argument(
        "--no-typos",
        dest="typos",
        action="store_false",
        help="search only for the typed words: no neighbour for a word that matches almost nothing",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON: plain text, matches as [start, end] spans",
    )
    p.add_argument("--related", metavar="ID", help="up to five articles like document ID")
    p.set_defaults(handler=commands.search)

    p = sub.add_parser("suggest", help="autocomplete a prefix from the index")
    p.add_argument("prefix", help="the beginning of a word or two, e.g. الانتخ")
    index_option(p)
    p.add_argument("--limit", type=int, default=8, help="completions to show, 1-100 (default 8)")
    p.add_argument("--json", action="store_true", help="print the completions as a JSON list")
    p.set_defaults(handler=commands.suggest)

    add_publishing_parsers(sub, index_option)

    p = sub.add_parser("serve", help="serve the web UI and JSON API with gunicorn")
    index_option(p)
    server_options(p)
    p.set_defaults(handler=commands.serve)

    p = sub.add_parser("demo", help="index the bundled sample corpus (if needed) and serve it")
    index_option(p)
    server_options(p)
    p.set_defaults(handler=commands.demo)
    return parser


def _version() -> str:
    try:
        return version("fahras")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def add_publishing_parsers(sub: argparse._SubParsersAction, index_option: Callable) -> None:
    """`fahras keys create|list|revoke` and `fahras worker` (search/publishing_commands.py)."""
    from search import publishing_commands

    keys = sub.add_parser("keys", help="create, list and revoke API keys")
    actions = keys.add_subparsers(required=True, metavar="ACTION")
    p = actions.add_parser("create", help="create a key; it is printed once")
    p.add_argument("--name", required=True, help="who uses it, e.g. cms")
    p.add_argument(
        "--scope",
        choices=("read", "write"),
        default="read",
        help="read: search; write: also publish",
    )
    index_option(p)
    p.add_argument("--json", action="store_true", help="print the new key as JSON")
    p.set_defaults(handler=publishing_commands.create)
    p = actions.add_parser("list", help="list keys (never their secrets)")
    index_option(p)
    p.add_argument("--json", action="store_true", help="print the keys as JSON")
    p.set_defaults(handler=publishing_commands.list_keys)
    p = actions.add_parser("revoke", help="revoke a key by its id")
    p.add_argument("key_id", metavar="ID", help="the key's id, as `fahras keys list` shows it")
    index_option(p)
    p.set_defaults(handler=publishing_commands.revoke)

    p = sub.add_parser("worker", help="apply the writes sent to POST /api/documents")
    index_option(p)
    p.add_argument("--once", action="store_true", help="apply what is queued, then exit")
    p.set_defaults(handler=publishing_commands.worker)


def add_query_stats_options(p: argparse.ArgumentParser) -> None:
    """`fahras stats --queries`: the query log's report (search/ops_commands.py)."""
    p.add_argument(
        "--queries",
        action="store_true",
        help="what readers searched for (needs FAHRAS_QUERY_LOG=on in the web app)",
    )
    # No defaults here: `fahras stats --days 7` without --queries is a mistake to name.
    p.add_argument("--days", type=int, help="with --queries: the last N days (default 30)")
    p.add_argument("--limit", type=int, help="with --queries: rows per list (default 20)")


def wait_option(p: argparse.ArgumentParser, help: str) -> None:
    """--wait SECONDS: how long a writing command waits for the index's writer lock."""
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help=help)


def add_operations_parsers(sub: argparse._SubParsersAction, index_option: Callable) -> None:
    """`fahras snapshot` and `fahras restore` (search/ops_commands.py)."""
    from search import ops_commands

    p = sub.add_parser("snapshot", help="copy the index's current generation into a new folder")
    p.add_argument("dest", type=Path, metavar="DEST", help="a new folder")
    index_option(p)
    p.add_argument("--copy", action="store_true", help="copy every file (never hard-link)")
    p.add_argument("--json", action="store_true", help="print what was copied as JSON")
    p.set_defaults(handler=ops_commands.snapshot)

    p = sub.add_parser("restore", help="make a snapshot the index's current generation")
    p.add_argument("source", type=Path, metavar="SRC", help="a snapshot (or an index) folder")
    index_option(p)
    p.add_argument("--copy", action="store_true", help="copy every file (never hard-link)")
    wait_option(p, "wait this long for an indexer to finish")
    p.add_argument("--json", action="store_true", help="print what was restored as JSON")
    p.set_defaults(handler=ops_commands.restore)


if __name__ == "__main__":
    sys.exit(main())
