"""Search analytics: what readers search for, what they do not find, and what is slow.

Opt-in (FAHRAS_QUERY_LOG=on in the web app). Each logged search keeps its normalized query,
its filters, its result count, how long it took and when; nothing about who asked (no address,
no cookie, no user agent). The log is a small SQLite database next to the index
(DIR/querylog.sqlite3, WAL mode, so every gunicorn worker appends and `fahras stats --queries`
reads at the same time), and it is bounded: entries older than `keep_days` and all but the newest
`max_entries` are deleted as new ones come in, and SQLite reuses the freed pages, so the file
stops growing once it holds that many.

Search as you type sends a search at every pause in typing; a typed search therefore replaces
the typed searches of the previous seconds that it extends ("الانت" then "الانتخابات"), so
half-typed words neither count as queries nor as searches without results.
"""

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from search.engine import SearchRequest, SearchResult
from search.errors import FahrasError
from search.normalize import normalize

LOG_FILE = "querylog.sqlite3"
KEEP_DAYS = 90
MAX_ENTRIES = 200_000  # about 25 MB
PRUNE_EVERY = 500  # searches logged by a process between two prunings
TYPING_WINDOW = 10.0  # seconds within which a longer typed search replaces a shorter one
WAL_PAGES = 256  # the write-ahead log is folded into the database at 1 MB, and cut back to it
BUSY_TIMEOUT_MS = 500  # a search never waits longer than this for its log line
DAY = 86_400

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,
    results INTEGER NOT NULL,
    took_ms REAL NOT NULL,
    typed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS searches_at ON searches (at);
CREATE INDEX IF NOT EXISTS searches_query ON searches (query, at);
"""


class QueryLogMissingError(FahrasError):
    """There is no query log to report on."""


@dataclass(frozen=True, slots=True)
class LoggedSearch:
    """One search as the log keeps it."""

    query: str  # normalized, as the engine understood it
    filters: str  # canonical JSON of the filters and dates, "" for none
    results: int
    took_ms: float
    typed: bool = False  # sent by search as you type

    @classmethod
    def of(
        cls, request: SearchRequest, result: SearchResult, typed: bool = False
    ) -> "LoggedSearch":
        return cls(
            query=normalized_query(result.understood),
            filters=canonical_filters(result.filters, request.date_from, request.date_to),
            results=result.total,
            took_ms=result.took_ms,
            typed=typed,
        )


def worth_logging(result: SearchResult) -> bool:
    """A search with words, on its first page (paging through it is the same search).

    Pages opened without words (the home page, a widget's fixed category) are not searches.
    """
    return bool(result.understood.strip()) and result.page == 1


def normalized_query(understood: str) -> str:
    """The query folded like the index folds words, so الكِتَابُ and الكتاب count as one."""
    return " ".join(w if w == "OR" else normalize(w) for w in understood.split())


def canonical_filters(
    filters: Mapping[str, Sequence[str]], date_from: str | None, date_to: str | None
) -> str:
    chosen: dict[str, object] = {k: sorted(v) for k, v in filters.items() if v}
    chosen |= {k: v for k, v in (("from", date_from), ("to", date_to)) if v}
    return json.dumps(chosen, ensure_ascii=False, sort_keys=True) if chosen else ""


class QueryLog:
    """The query log of one index folder; safe across threads and forked processes."""

    def __init__(
        self,
        index_dir: Path,
        *,
        keep_days: int = KEEP_DAYS,
        max_entries: int = MAX_ENTRIES,
        prune_every: int = PRUNE_EVERY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(index_dir) / LOG_FILE
        self.keep_days = keep_days
        self.max_entries = max_entries
        self.prune_every = prune_every
        self.clock = clock
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._since_prune = 0
        self._failing = False

    def record(self, search: LoggedSearch) -> None:
        """Log one search. A failure (disk full, locked too long) is logged, never raised."""
        now = self.clock()
        try:
            with self._lock:
                connection = self._open()
                with connection:
                    if search.typed:
                        self._drop_extended(connection, search, now)
                    connection.execute(
                        "INSERT INTO searches (at, day, query, filters, results, took_ms, typed)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (now, _day(now), search.query, search.filters, search.results,
                         round(search.took_ms, 2), int(search.typed)),
                    )  # fmt: skip
                self._since_prune += 1
                if self._since_prune >= self.prune_every:
                    self._prune(connection, now)
        except sqlite3.Error as exc:
            if not self._failing:
                log.warning("query log %s unavailable, searches go on unlogged: %s", self.path, exc)
            self._failing = True
            return
        if self._failing:
            log.warning("query log %s written again", self.path)
            self._failing = False

    def prune(self) -> None:
        """Delete what is older than `keep_days` or beyond the newest `max_entries`."""
        with self._lock:
            self._prune(self._open(), self.clock())

    def entries(self) -> int:
        with self._lock:
            return self._open().execute("SELECT count(*) FROM searches").fetchone()[0]

    def report(self, days: int = 30, limit: int = 20) -> "QueryReport":
        """Top queries, top queries without results, slowest searches, searches per day."""
        if days < 1 or limit < 1:
            raise FahrasError("days and limit must be 1 or more")
        if not self.path.exists():
            raise QueryLogMissingError(
                f"no query log in {self.path.parent}: searches are logged while the web app "
                "runs with FAHRAS_QUERY_LOG=on"
            )
        now = self.clock()
        first_day = datetime.fromtimestamp(now, UTC).date() - timedelta(days=days - 1)
        since = datetime.combine(first_day, datetime.min.time(), UTC).timestamp()
        with self._lock:
            return _report(self._open(), since, first_day, days, limit)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    def _open(self) -> sqlite3.Connection:
        """This process's connection (a forked worker never uses its parent's)."""
        if self._connection is None or self._pid != os.getpid():
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # analytics: a power cut may lose a few
            connection.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
            connection.execute(f"PRAGMA journal_size_limit={WAL_PAGES * 4096}")
            connection.executescript(_SCHEMA)
            self._connection, self._pid = connection, os.getpid()
            self._prune(connection, self.clock())
        return self._connection

    def _drop_extended(
        self, connection: sqlite3.Connection, search: LoggedSearch, now: float
    ) -> None:
        prefixes = [search.query[:end] for end in range(1, len(search.query))]
        if not prefixes:
            return
        marks = ", ".join("?" * len(prefixes))
        connection.execute(
            f"DELETE FROM searches WHERE query IN ({marks}) AND at >= ? AND typed = 1"
            " AND filters = ?",
            (*prefixes, now - TYPING_WINDOW, search.filters),
        )

    def _prune(self, connection: sqlite3.Connection, now: float) -> None:
        with connection:
            connection.execute("DELETE FROM searches WHERE at < ?", (now - self.keep_days * DAY,))
            connection.execute(
                "DELETE FROM searches WHERE id <= (SELECT max(id) FROM searches) - ?",
                (self.max_entries,),
            )
        self._since_prune = 0


@dataclass(frozen=True, slots=True)
class QueryCount:
    query: str
    filters: str
    searches: int
    results: float  # average result count


@dataclass(frozen=True, slots=True)
class SlowSearch:
    query: str
    filters: str
    took_ms: float
    results: int
    at: str  # ISO time, UTC


@dataclass(frozen=True, slots=True)
class DayCount:
    day: str
    searches: int
    without_results: int


@dataclass(frozen=True, slots=True)
class QueryReport:
    days: int
    searches: int
    without_results: int
    top: list[QueryCount]
    top_without_results: list[QueryCount]
    slowest: list[SlowSearch]
    per_day: list[DayCount]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _report(
    connection: sqlite3.Connection, since: float, first_day: date, days: int, limit: int
) -> QueryReport:
    def rows(sql: str) -> list[tuple]:
        return connection.execute(sql, (since, limit)).fetchall()

    top = rows(
        "SELECT query, '', count(*), avg(results) FROM searches WHERE at >= ? AND query != ''"
        " GROUP BY query ORDER BY count(*) DESC, query LIMIT ?"
    )
    empty = rows(
        "SELECT query, filters, count(*), 0 FROM searches WHERE at >= ? AND results = 0"
        " GROUP BY query, filters ORDER BY count(*) DESC, query, filters LIMIT ?"
    )
    slow = rows(
        "SELECT query, filters, took_ms, results, at FROM searches WHERE at >= ?"
        " ORDER BY took_ms DESC, id LIMIT ?"
    )
    counted = {
        day: (searches, zero)
        for day, searches, zero in connection.execute(
            "SELECT day, count(*), sum(results = 0) FROM searches WHERE at >= ? GROUP BY day",
            (since,),
        )
    }
    per_day = []
    for offset in range(days):
        day = (first_day + timedelta(days=offset)).isoformat()
        searches, zero = counted.get(day, (0, 0))
        per_day.append(DayCount(day, searches, zero))
    return QueryReport(
        days=days,
        searches=sum(d.searches for d in per_day),
        without_results=sum(d.without_results for d in per_day),
        top=[QueryCount(q, f, n, round(r, 1)) for q, f, n, r in top],
        top_without_results=[QueryCount(q, f, n, 0) for q, f, n, _ in empty],
        slowest=[SlowSearch(q, f, ms, n, _iso(at)) for q, f, ms, n, at in slow],
        per_day=per_day,
    )


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).date().isoformat()


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")
