"""Tests for search.dates: every accepted spelling, the rejections, and the real corpus dates."""

import gzip
import itertools
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from search.dates import DateParseError, parse_date, parse_date_bound

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
D = datetime(2020, 4, 16)

LEVANTINE = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]  # fmt: skip
EGYPTIAN = [
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
]  # fmt: skip
MAGHREBI = [
    "جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان",
    "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
]  # fmt: skip
ENGLISH = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@pytest.mark.parametrize(
    ("month", "name"),
    [
        (number, name)
        for family in (LEVANTINE, EGYPTIAN, MAGHREBI, ENGLISH)
        for number, name in enumerate(family, start=1)
    ],
)
def test_every_month_name(month: int, name: str) -> None:
    assert parse_date(f"5 {name} 2019") == datetime(2019, month, 5)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("ابريل", 4), ("إبريل", 4), ("افريل", 4), ("يونيه", 6), ("يوليه", 7), ("جويلة", 7),
        ("اغسطس", 8), ("اكتوبر", 10), ("اذار", 3), ("ايار", 5), ("اب", 8), ("تشرين أول", 10),
        ("كانون ثاني", 1), ("Apr", 4), ("Sept", 9), ("DEC", 12), ("جانفى", 1),
        ("أَيّار", 5), ("نيســـان", 4), ("تشرين   الثاني", 11),
    ],
)  # fmt: skip
def test_month_spelling_variants(text: str, month: int) -> None:
    assert parse_date(f"1 {text} 2020") == datetime(2020, month, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO 8601, converted to naive UTC
        ("2020-04-16", D),
        ("2020-04-16T10:30", D.replace(hour=10, minute=30)),
        ("2020-04-16 10:30:15", D.replace(hour=10, minute=30, second=15)),
        ("2020-04-16T10:30:15.25", D.replace(hour=10, minute=30, second=15, microsecond=250000)),
        ("2020-04-16T10:30:00Z", D.replace(hour=10, minute=30)),
        ("2020-04-16T10:30:00+03:00", D.replace(hour=7, minute=30)),
        ("2020-04-16T01:00:00+04:00", datetime(2020, 4, 15, 21)),
        ("2020-04-16T22:00:00-05:00", datetime(2020, 4, 17, 3)),
        ("2017-01-22T185600", datetime(2017, 1, 22, 18, 56)),
        # numeric, day first unless only month first is possible
        ("16/04/2020", D),
        ("16-04-2020", D),
        ("16.04.2020", D),
        ("04/16/2020", D),
        ("05/04/2020", datetime(2020, 4, 5)),
        ("5/4/2020", datetime(2020, 4, 5)),
        ("2020/04/16", D),
        ("2020/4/16", D),
        ("16/04/2020 10:30", D.replace(hour=10, minute=30)),
        ("16/04/2020 10:30:45", D.replace(hour=10, minute=30, second=45)),
        # Eastern Arabic and Persian digits
        ("١٦/٠٤/٢٠٢٠", D),
        ("١٦ نيسان ٢٠٢٠", D),
        ("۱۶ آذار ۲۰۲۰", datetime(2020, 3, 16)),
        ("۲۰۲۰-۰۴-۱۶", D),
        # weekdays, "من", AD marker, commas
        ("الخميس 16 من نيسان 2020", D),
        ("الخميس، 16 نيسان 2020", D),
        ("الإثنين 13 أبريل 2020", datetime(2020, 4, 13)),
        ("الاثنين 13 أبريل 2020", datetime(2020, 4, 13)),
        ("يوم الثلاثاء 23 ماي 2017،", datetime(2017, 5, 23)),
        ("اليوم الأربعاء 20 جويلية 2016", datetime(2016, 7, 20)),
        ("16 نيسان 2020م", D),
        ("16 نيسان 2020 م.", D),
        ("١٦ أبريل ٢٠٢٠م", D),
        # combined month names
        ("16 نيسان/أبريل 2020", D),
        ("16 أبريل (نيسان) 2020", D),
        ("31 ديسمبر/كانون الأول 2019", datetime(2019, 12, 31)),
        # times after the date, with AM/PM markers
        ("16 نيسان 2020 الساعة 10:30", D.replace(hour=10, minute=30)),
        ("السبت 18 مارس 2017 على الساعة 15:00", datetime(2017, 3, 18, 15)),
        ("16 أبريل 2020 - 10:30", D.replace(hour=10, minute=30)),
        ("16 أبريل 2020 - 10:30 م", D.replace(hour=22, minute=30)),
        ("16 أبريل 2020 10:30م", D.replace(hour=22, minute=30)),
        ("16 أبريل 2020 10:30 ص", D.replace(hour=10, minute=30)),
        ("16 أبريل 2020 12:05 ص", D.replace(minute=5)),
        ("16 أبريل 2020 12:05 م", D.replace(hour=12, minute=5)),
        ("16 نيسان 2020 10:30 مساءً", D.replace(hour=22, minute=30)),
        # English
        ("16 April 2020", D),
        ("April 16, 2020", D),
        ("Apr 16 2020", D),
        ("Thursday, April 16, 2020 at 10:30 pm", D.replace(hour=22, minute=30)),
        ("Sun, 18 Feb 2018 17:21:49 GMT", datetime(2018, 2, 18, 17, 21, 49)),
        ("Sun, 18 Feb 2018 21:35:43 +0400", datetime(2018, 2, 18, 17, 35, 43)),
        # month-year and year only
        ("نيسان 2020", datetime(2020, 4, 1)),
        ("April 2020", datetime(2020, 4, 1)),
        ("2020-04", datetime(2020, 4, 1)),
        ("04/2020", datetime(2020, 4, 1)),
        ("2020", datetime(2020, 1, 1)),
        ("٢٠٢٠م", datetime(2020, 1, 1)),
        ("  16/04/2020\u200f ", D),
    ],
)
def test_parses(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   \t\n", None),
        (D, D),
        (datetime(2020, 4, 16, 3, tzinfo=timezone(timedelta(hours=3))), D),
        (datetime(2020, 4, 16, tzinfo=UTC), D),
        (date(2020, 4, 16), D),
    ],
)
def test_non_string_and_empty_values(value: object, expected: datetime | None) -> None:
    result = parse_date(value)
    assert result == expected
    assert result is None or result.tzinfo is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("32/13/2020", "unrecognised date '32/13/2020'"),
        ("13/13/2020", "unrecognised date"),
        ("31 شباط 2020", "impossible date '31 شباط 2020'"),
        ("29 February 2019", "impossible date"),
        ("31/04/2020", "impossible date"),
        ("2020-02-30", "impossible date"),
        ("0/04/2020", "impossible date"),
        ("16/04/2020 24:00", "impossible date"),
        ("16/04/2020 13:00 م", "hour 13 with AM/PM marker"),
        ("1799", "year 1799 outside 1800-2100"),
        ("16 نيسان 2101", "year 2101 outside"),
        ("0001-01-01", "year 1 outside"),
        ("15 رمضان 1441 هـ", "Hijri dates are not supported: '15 رمضان 1441 هـ'"),
        ("1441هـ", "Hijri dates are not supported"),
        ("١٤٤١ ه", "Hijri dates are not supported"),
        ("16 نيسان/مايو 2020", "conflicting month names"),
        ("garbage", "unrecognised date 'garbage'"),
        ("not a date 2020", "unrecognised date"),
        ("16 April", "unrecognised date"),
        ("16/04/20", "unrecognised date"),
        ("16/04", "unrecognised date"),
        ("10:30", "unrecognised date"),
        ("نيسان 2020 10:30", "unrecognised date"),
        ("20200416", "unrecognised date"),
        ("2020-04-16T10:30:00 garbage", "unrecognised date"),
        ("16 16 نيسان 2020", "unrecognised date"),
    ],
)
def test_rejects(text: str, message: str) -> None:
    with pytest.raises(DateParseError, match=message):
        parse_date(text)


@pytest.mark.parametrize("value", [2020, 16.4, ["2020"], b"2020"])
def test_rejects_other_types(value: object) -> None:
    with pytest.raises(DateParseError, match="unsupported date value"):
        parse_date(value)


def test_error_is_a_value_error() -> None:
    assert issubclass(DateParseError, ValueError)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2020", datetime(2020, 1, 1), datetime(2020, 12, 31, 23, 59, 59, 999999)),
        ("2020-04", datetime(2020, 4, 1), datetime(2020, 4, 30, 23, 59, 59, 999999)),
        ("2020-02", datetime(2020, 2, 1), datetime(2020, 2, 29, 23, 59, 59, 999999)),
        ("2019-02", datetime(2019, 2, 1), datetime(2019, 2, 28, 23, 59, 59, 999999)),
        ("2020-12", datetime(2020, 12, 1), datetime(2020, 12, 31, 23, 59, 59, 999999)),
        ("2020-04-16", D, datetime(2020, 4, 16, 23, 59, 59, 999999)),
        ("نيسان 2020", datetime(2020, 4, 1), datetime(2020, 4, 30, 23, 59, 59, 999999)),
        ("16 نيسان 2020", D, datetime(2020, 4, 16, 23, 59, 59, 999999)),
        ("2020-04-16T10:30", D.replace(hour=10, minute=30), D.replace(hour=10, minute=30)),
    ],
)
def test_bounds(text: str, start: datetime, end: datetime) -> None:
    assert parse_date_bound(text, end=False) == start
    assert parse_date_bound(text, end=True) == end


@pytest.mark.parametrize("text", ["", "  ", "2020-13", "20", "garbage", "1441 هـ"])
def test_bound_rejects(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_date_bound(text, end=True)


def test_corpus_dates_parse() -> None:
    path = CORPUS / "ant_multisource.jsonl.gz"
    if not path.exists():
        pytest.skip(f"corpus not available at {path}")
    checked = 0
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, 2000):
            record = json.loads(line)
            if record["date"] is None:
                continue
            expected = datetime.fromisoformat(record["date"]).astimezone(UTC).replace(tzinfo=None)
            assert parse_date(record["date"]) == expected, record["id"]
            assert parse_date(record["time_raw"]) == expected, record["id"]
            checked += 1
    assert checked > 0
