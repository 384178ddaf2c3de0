"""The `fahras` command: index, search, suggest, analyze, stats, delete, serve, demo.

A thin face over the engine: it parses arguments, calls one engine function and prints the
result for a person (colour on a terminal) or for a program (`--json`). Engine errors
(FahrasError) become one line on stderr and exit status 1, never a traceback.
"""

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

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
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    def index_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--index",
            type=Path,
            default=Path(DEFAULT_INDEX),
            help=f"index folder (default: $FAHRAS_INDEX or {DEFAULT_INDEX!r})",
        )

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
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another indexer to finish",
    )
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
    p.add_argument("action", choices=("show", "check"))
    p.add_argument("file", nargs="?", help="a settings file (default: the index's own)")
    index_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=settings_command)

    p = sub.add_parser("delete", help="remove documents by id")
    p.add_argument("ids", nargs="+", metavar="ID")
    index_option(p)
    p.set_defaults(handler=commands.delete)

    p = sub.add_parser("stats", help="document count, facet values, date range, size")
    index_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=commands.stats)

    p = sub.add_parser("analyze", help="show how text is tokenized, normalized and stemmed")
    p.add_argument("text", help="the text, or - to read one item a line from stdin")
    p.add_argument("--index", type=Path, help="with this index's protected words and stems")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=commands.analyze)

    p = sub.add_parser("search", help="search the index")
    p.add_argument(
        "query", help="the query (see README: query language), or - for one a line from stdin"
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
    p.add_argument("--sort", choices=("relevance", "newest", "oldest"), default="relevance")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--limit", type=int, default=10, help="results per page (1-100)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=commands.search)

    p = sub.add_parser("suggest", help="autocomplete a prefix from the index")
    p.add_argument("prefix")
    index_option(p)
    p.add_argument("--limit", type=int, default=8)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=commands.suggest)

    p = sub.add_parser("serve", help="serve the web UI and JSON API with gunicorn")
    index_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(handler=commands.serve)

    p = sub.add_parser("demo", help="index the bundled sample corpus (if needed) and serve it")
    index_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(handler=commands.demo)
    return parser


if __name__ == "__main__":
    sys.exit(main())
