"""CSV and TSV: a header row names the fields; quoted fields may span lines."""

import csv
import re
from collections import Counter
from collections.abc import Generator, Iterator
from contextlib import closing
from pathlib import Path

from .fields import LIST_FIELDS, map_fields, split_list
from .lines import Line, read_lines
from .opening import format_size
from .records import LoadOptions, LoadProblem, RawRecord

_DELIMITERS = ",;\t"
_QUOTED = re.compile(r'"[^"]*"')
_TAG_SEPARATORS = ";|،"


def read_csv(path: Path, options: LoadOptions, *, tsv: bool) -> Iterator[RawRecord | LoadProblem]:
    """Records of a CSV/TSV file; record line = the line its row starts on.

    Rows of blank cells are skipped; a short row simply lacks the trailing fields. Values stay
    strings, except that "tags"/"categories" cells are split on ; | or ، into lists.
    """
    origin = str(path)
    # The csv module's field limit is process-wide; raise it so that only our own, exact
    # max_record_bytes check (in _Feed) decides, and never lower a limit set elsewhere.
    csv.field_size_limit(max(csv.field_size_limit(), options.max_record_bytes))
    with closing(read_lines(path, options)) as items:
        feed = _Feed(items, options.max_record_bytes)
        header_line = feed.peek()
        if header_line is None:
            problems = feed.take_problems()
            yield from problems or [LoadProblem(origin, None, "empty file")]
            return
        reader = csv.reader(feed, delimiter="\t" if tsv else _sniff(header_line))
        names = yield from _header(reader, feed, origin)
        if names is None:
            return
        while True:
            feed.new_row()
            try:
                row = next(reader)
            except StopIteration:
                break
            except (csv.Error, _RowTooLongError) as exc:
                yield from feed.take_problems()
                yield LoadProblem(origin, feed.start, str(exc))
                continue
            yield from feed.take_problems()
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(names):
                reason = f"row has {len(row)} cells but the header has {len(names)}"
                yield LoadProblem(origin, feed.start, reason)
                continue
            yield RawRecord(_fields(names, row, options), origin, feed.start)
        yield from feed.take_problems()


def _header(
    reader: Iterator[list[str]], feed: "_Feed", origin: str
) -> Generator[LoadProblem, None, list[str] | None]:
    """Yield problems; return the column names, or None when the file cannot be used."""
    try:
        names = [name.strip() for name in next(reader)]
    except (csv.Error, _RowTooLongError) as exc:
        names, problem = None, f"unreadable header: {exc}"
    else:
        problem = _header_problem(names)
    yield from feed.take_problems()
    if problem:
        yield LoadProblem(origin, None, problem)
        return None
    return names


def _header_problem(names: list[str]) -> str | None:
    """An empty or repeated column name; linear, for headers of tens of thousands of columns."""
    empty = next((number for number, name in enumerate(names, start=1) if not name), None)
    if empty is not None:
        return f"empty column name in header (column {empty})"
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    return f"duplicate column name in header: {repeated[0]!r}" if repeated else None


def _fields(names: list[str], row: list[str], options: LoadOptions) -> dict[str, object]:
    mapped = map_fields(dict(zip(names, row, strict=False)), options.field_map)
    return {
        key: split_list(value, _TAG_SEPARATORS) if key in LIST_FIELDS else value
        for key, value in mapped.items()
    }


def _sniff(header: str) -> str:
    """The most frequent of , ; tab outside quotes in the header line (comma on a tie)."""
    bare = _QUOTED.sub("", header)
    return max(_DELIMITERS, key=bare.count)


class _RowTooLongError(Exception):
    """A row (usually an unclosed quote) grew past max_record_bytes."""


class _Feed:
    """Text lines for csv.reader, keeping line problems and row start lines aside.

    csv.reader only sees strings, so line numbers and skipped lines are tracked here.
    """

    def __init__(self, items: Iterator[Line | LoadProblem], limit: int) -> None:
        self._items = items
        self._limit = limit
        self._problems: list[LoadProblem] = []
        self._pending: Line | None = None
        self._row_size = 0
        self.start = 0  # first line of the row being read

    def peek(self) -> str | None:
        """The first non-blank line, left to be read again; None if there is none."""
        for item in self._items:
            if isinstance(item, LoadProblem):
                self._problems.append(item)
            elif item.text.strip():
                self._pending = item
                return item.text
        return None

    def new_row(self) -> None:
        self.start = 0
        self._row_size = 0

    def take_problems(self) -> list[LoadProblem]:
        problems, self._problems = self._problems, []
        return problems

    def __iter__(self) -> "_Feed":
        return self

    def __next__(self) -> str:
        line, self._pending = self._pending, None
        while line is None:
            item = next(self._items)
            if isinstance(item, LoadProblem):
                self._problems.append(item)
            else:
                line = item
        self.start = self.start or line.number
        self._row_size += line.size
        if self._row_size > self._limit:
            raise _RowTooLongError(f"row longer than {format_size(self._limit)} (unclosed quote?)")
        return line.text
