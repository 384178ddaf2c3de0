"""Search analytics (issue 14 §2): what is logged, the report, rotation, `stats --queries`."""

import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask

from search.cli import main
from search.querylog import DAY, LOG_FILE, TYPING_WINDOW, WAL_PAGES, LoggedSearch, QueryLog
from search.snapshot import take_snapshot

NOON = datetime(2026, 11, 30, 12, tzinfo=UTC).timestamp()
MISSING = "قنطريسة"  # in no document
LOGGED_MISSING = "قنطريسه"  # as the log keeps it: folded like the index folds words


class Clock:
    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def searched(
    query: str, results: int = 1, took_ms: float = 5.0, typed: bool = False
) -> LoggedSearch:
    return LoggedSearch(query=query, filters="", results=results, took_ms=took_ms, typed=typed)


@pytest.fixture
def index_copy(sample_index: Path, tmp_path: Path) -> Path:
    """The sample index, hard-linked into tmp_path: the query log is written next to it."""
    return take_snapshot(sample_index, tmp_path / "ix").path


@pytest.fixture
def logging_app(make_app: Callable[..., Flask], index_copy: Path) -> Flask:
    return make_app(FAHRAS_INDEX=str(index_copy), FAHRAS_QUERY_LOG="on")


def test_a_scripted_sequence_of_searches_gives_the_top_and_the_missing_queries(
    logging_app: Flask, index_copy: Path
) -> None:
    client = logging_app.test_client()
    private = {"X-Forwarded-For": "203.0.113.9", "Cookie": "session=reader-secret"}
    script = [
        "/search?q=الكتاب",
        "/search?q=الكِتَابُ",  # the same query with diacritics
        "/api/search?q=الكتاب",
        "/search?q=الانتخابات&category=سياسة",
        f"/search?q={MISSING}",
        f"/api/search?q={MISSING}",
        "/search?q=مدرسة",
        "/search?q=الكتاب&page=2",  # paging: the same search
        "/",  # the home page searches nothing
        "/embed?q=مدرسة",
    ]
    for path in script:
        assert client.get(path, headers=private).status_code == 200, path
    for typed in ("الانت", "الانتخا", "الانتخابات"):  # search as you type
        response = client.get(
            f"/search?q={quote(typed)}", headers={"HX-Request": "true", "HX-Trigger": "q"}
        )
        assert response.status_code == 200

    report = QueryLog(index_copy).report(days=1)
    assert report.searches == 9
    top = [(c.query, c.searches) for c in report.top]
    assert top == [("الكتاب", 3), ("الانتخابات", 2), (LOGGED_MISSING, 2), ("مدرسه", 2)]
    missing = [(c.query, c.filters, c.searches) for c in report.top_without_results]
    assert missing == [(LOGGED_MISSING, "", 2)]
    assert report.without_results == 2
    filtered = [s for s in report.slowest if s.query == "الانتخابات" and s.filters]
    assert [json.loads(s.filters) for s in filtered] == [{"category": ["سياسة"]}]

    stored = b"".join(p.read_bytes() for p in index_copy.glob(LOG_FILE + "*"))
    assert b"203.0.113.9" not in stored and b"reader-secret" not in stored
    with sqlite3.connect(index_copy / LOG_FILE) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(searches)")]
    assert columns == ["id", "at", "day", "query", "filters", "results", "took_ms", "typed"]


def test_nothing_is_logged_unless_asked(make_app: Callable[..., Flask], index_copy: Path) -> None:
    client = make_app(FAHRAS_INDEX=str(index_copy)).test_client()
    assert client.get("/search?q=الكتاب").status_code == 200
    assert not (index_copy / LOG_FILE).exists()


def test_a_log_that_cannot_be_written_never_fails_a_search(
    logging_app: Flask, index_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (index_copy / LOG_FILE).mkdir()  # sqlite cannot open a folder
    client = logging_app.test_client()
    with caplog.at_level(logging.WARNING, logger="search.querylog"):
        for _ in range(3):
            assert client.get("/api/search?q=الكتاب").status_code == 200
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1  # once, not once a search


def test_slowest_searches_come_from_the_recorded_times(tmp_path: Path) -> None:
    log = QueryLog(tmp_path, clock=Clock())
    for query, took in (("سريع", 3.0), ("بطيء جدا", 950.0), ("متوسط", 120.5), ("بطيء", 400.0)):
        log.record(searched(query, took_ms=took))
    slowest = log.report(days=1, limit=3).slowest
    assert [(s.query, s.took_ms) for s in slowest] == [
        ("بطيء جدا", 950.0),
        ("بطيء", 400.0),
        ("متوسط", 120.5),
    ]
    assert slowest[0].at == "2026-11-30T12:00:00+00:00"
    log.close()


def test_searches_per_day_cover_every_day_asked_for(tmp_path: Path) -> None:
    clock = Clock()
    log = QueryLog(tmp_path, clock=clock)
    for days_ago, count, empty in ((3, 2, 0), (1, 4, 1), (0, 1, 1)):
        clock.now = NOON - days_ago * DAY
        for n in range(count):
            log.record(searched(f"كلمة{n}", results=0 if n < empty else 5))
    clock.now = NOON
    report = log.report(days=3)
    assert [(d.day, d.searches, d.without_results) for d in report.per_day] == [
        ("2026-11-28", 0, 0),
        ("2026-11-29", 4, 1),
        ("2026-11-30", 1, 1),
    ]
    assert (report.searches, report.without_results) == (5, 2)
    assert log.report(days=4).searches == 7
    log.close()


def test_typed_searches_replace_the_shorter_ones_they_extend(tmp_path: Path) -> None:
    clock = Clock()
    log = QueryLog(tmp_path, clock=clock)
    log.record(searched("الانت", results=0, typed=True))
    clock.now += 1
    log.record(searched("الانتخا", results=0, typed=True))
    clock.now += 1
    log.record(searched("الانتخابات", typed=True))
    clock.now += TYPING_WINDOW + 1
    log.record(searched("الانتخابات البلدية", typed=True))  # a new search, minutes later
    log.record(searched("كتاب"))  # asked for (Enter): never replaced
    log.record(searched("كتابة", typed=True))
    queries = sorted(c.query for c in log.report(days=1).top)
    assert queries == ["الانتخابات", "الانتخابات البلدية", "كتاب", "كتابة"]
    assert log.report(days=1).without_results == 0
    log.close()


def test_the_log_rotates_by_count_and_age_and_stops_growing(tmp_path: Path) -> None:
    clock = Clock()
    log = QueryLog(tmp_path, max_entries=200, keep_days=7, prune_every=50, clock=clock)

    def fill(count: int) -> None:
        for n in range(count):
            clock.now += 1
            log.record(searched(f"سؤال طويل نسبيا رقم {n}", took_ms=n % 97))

    def size() -> int:
        return (tmp_path / LOG_FILE).stat().st_size

    fill(1_000)
    assert log.entries() <= 200 + 50
    settled = size()
    fill(5_000)
    assert log.entries() <= 200 + 50
    assert size() <= settled * 1.1  # freed pages are reused (5,000 more rows: 5 times the size)
    assert (tmp_path / f"{LOG_FILE}-wal").stat().st_size <= WAL_PAGES * 4096
    newest = log.report(days=1, limit=1).slowest
    assert newest  # the newest entries are the ones kept

    clock.now += 8 * DAY
    log.prune()
    assert log.entries() == 0
    log.close()


def test_stats_queries_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = QueryLog(tmp_path)
    for query, results in (("الكتاب", 4), ("الكتاب", 4), (MISSING, 0)):
        log.record(searched(query, results=results))
    log.close()
    assert main(["stats", "--queries", "--index", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 searches in the last 30 days, 1 without results (33%)")
    assert "\ntop queries\n" in out and "  2\t4\tالكتاب\n" in out
    assert f"\ntop queries without results\n  searches\tfilters\tquery\n  1\t\t{MISSING}\n" in out
    assert main(["stats", "--queries", "--days", "7", "--json", "--index", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["searches"] == 3 and len(report["per_day"]) == 7
    assert report["top"][0] == {"query": "الكتاب", "filters": "", "searches": 2, "results": 4.0}


def test_stats_queries_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--queries", "--index", str(tmp_path)]) == 1
    assert main(["stats", "--queries", "--days", "0", "--index", str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"fahras: error: no query log in {tmp_path}: searches are logged while the web app "
        "runs with FAHRAS_QUERY_LOG=on"
    )
    assert err[1] == "fahras: error: --days and --limit must be 1 or more"
    assert not (tmp_path / LOG_FILE).exists()


def test_days_without_queries_is_named_not_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--days", "7", "--index", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "fahras: error: --days and --limit go with --queries (fahras stats --queries --days 7)"
    )
