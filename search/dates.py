"""Parse the dates found in Arabic news metadata into naive UTC datetimes.

Sources write dates every which way: ISO 8601 from feeds, RFC 822 from RSS, day-first numerals,
and Arabic month names from three naming traditions (Levantine/Syriac, Egyptian/Gulf, Maghrebi),
often combined ("نيسان/أبريل"). Everything is normalised to one naive UTC ``datetime`` so the
index can sort and filter on a single field. This runs for every indexed document, so all
regexes are compiled at import time.
"""

import calendar
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["DateParseError", "parse_date", "parse_date_bound"]

MIN_YEAR, MAX_YEAR = 1800, 2100


class DateParseError(ValueError):
    """A date value cannot be understood or names an impossible day."""


_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    # Spelt as _NORMALISE leaves them (أ→ا, ة→ه, ى→ي); English in lower case.
    1: ("كانون الثاني", "كانون ثاني", "يناير", "جانفي", "january", "jan"),
    2: ("شباط", "فبراير", "فيفري", "february", "feb"),
    3: ("اذار", "مارس", "march", "mar"),
    4: ("نيسان", "ابريل", "افريل", "april", "apr"),
    5: ("ايار", "مايو", "ماي", "may"),
    6: ("حزيران", "يونيو", "يونيه", "جوان", "june", "jun"),
    7: ("تموز", "يوليو", "يوليه", "جويليه", "جويله", "july", "jul"),
    8: ("اب", "اغسطس", "اوت", "august", "aug"),
    9: ("ايلول", "سبتمبر", "september", "sept", "sep"),
    10: ("تشرين الاول", "تشرين اول", "اكتوبر", "october", "oct"),
    11: ("تشرين الثاني", "تشرين ثاني", "نوفمبر", "november", "nov"),
    12: ("كانون الاول", "كانون اول", "ديسمبر", "december", "dec"),
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}

# Words that may surround a date without changing it (weekdays, "of", "today", "at the hour"),
# normalised the same way.
_FILLERS = (
    "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت", "اليوم", "يوم",
    "من", "علي الساعه", "الساعه", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "mon", "tues", "tue", "wed", "thurs", "thu", "fri", "sat", "sun",
    "on", "at",
)  # fmt: skip


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so "مايو" wins over "ماي"; any run of spaces may separate words."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len)[::-1])


_NORMALISE = str.maketrans(
    {
        **{chr(0x660 + i): str(i) for i in range(10)},  # Eastern Arabic digits
        **{chr(0x6F0 + i): str(i) for i in range(10)},  # Persian digits
        **dict.fromkeys("أإآٱ", "ا"),
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",  # Persian yeh
        "ک": "ك",  # Persian kaf
        **dict.fromkeys(map(chr, range(0x64B, 0x653)), None),  # harakat
        "\u0670": None,  # superscript alef
        "\u0640": None,  # tatweel
        **dict.fromkeys("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e", None),  # bidi marks
    }
)

_ISO_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?P<time>[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_HIJRI_RE = re.compile(r"\d{3,4}\s*ه(?!\w)")
_TIME_RE = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
    r"(?:\s*(?P<ampm>صباحا|مساء|ص|م|am|pm|a\.m\.|p\.m\.)(?!\w))?"
    r"(?:\s*(?:(?P<utc>gmt|utc|z)|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2})?))?(?![\w:])",
    re.IGNORECASE,
)
_TOKEN_RE = re.compile(
    rf"(?P<month>{_alternation(_MONTHS)})(?!\w)"
    r"|(?P<num>\d+)(?:\s*م(?!\w))?"  # a trailing م after a year means AD ("2020م")
    rf"|(?P<filler>{_alternation(_FILLERS)})(?!\w)"
    r"|(?P<sep>[\s,،./()\-]+)"
    r"|(?P<other>\w+|.)",
    re.IGNORECASE,
)
_AFTERNOON = frozenset({"م", "مساء", "pm", "p.m."})


def _naive_utc(value: datetime) -> datetime:
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


def _check_year(year: int, original: object) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateParseError(f"year {year} outside {MIN_YEAR}-{MAX_YEAR} in {original!r}")


def _build(original: object, parts: list[int], tz: timezone | None = None) -> datetime:
    """Construct the datetime, turning range errors into messages that quote the input."""
    _check_year(parts[0], original)
    try:
        return _naive_utc(datetime(*parts, tzinfo=tz))
    except ValueError as exc:
        raise DateParseError(f"impossible date {original!r}: {exc}") from None


def _parse_time(match: re.Match[str], original: object) -> tuple[list[int], timezone | None]:
    hour, minute = int(match["h"]), int(match["m"])
    micro = int(match["f"][:6].ljust(6, "0")) if match["f"] else 0
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise DateParseError(f"impossible date {original!r}: hour {hour} with AM/PM marker")
        hour = hour % 12 + (12 if match["ampm"].lower() in _AFTERNOON else 0)
    tz = None
    if match["utc"]:
        tz = UTC
    elif match["sign"]:
        offset = timedelta(hours=int(match["oh"]), minutes=int(match["om"] or 0))
        if offset >= timedelta(hours=24):
            raise DateParseError(f"impossible date {original!r}: UTC offset out of range")
        tz = timezone(-offset if match["sign"] == "-" else offset)
    return [hour, minute, int(match["s"] or 0), micro], tz


def _day_month(first: int, second: int, original: object) -> tuple[int, int]:
    """Day first by Arab convention, unless only month-first gives a valid reading."""
    if second > 12 and first <= 12:
        return second, first
    if first > 31 or second > 12:
        raise DateParseError(f"unrecognised date {original!r}: no valid day/month order")
    return first, second


def _parse(value: object) -> tuple[datetime, str] | None:
    """Return the datetime and its precision: "year", "month", "day" or "time"."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _naive_utc(value), "time"
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), "day"
    if not isinstance(value, str):
        raise DateParseError(f"unsupported date value {value!r} of type {type(value).__name__}")
    text = value.translate(_NORMALISE).strip()
    if not text:
        return None
    if iso := _ISO_RE.fullmatch(text):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass  # e.g. 2020-02-30: the general path below words the error
        else:
            _check_year(parsed.year, value)
            return _naive_utc(parsed), "time" if iso["time"] else "day"
    if _HIJRI_RE.search(text):
        raise DateParseError(f"Hijri dates are not supported: {value!r}")

    clock: list[int] = []
    tz = None
    if time_match := _TIME_RE.search(text):
        clock, tz = _parse_time(time_match, value)
        text = text[: time_match.start()] + " " + text[time_match.end() :]
    shape, numbers, month = "", [], 0
    for token in _TOKEN_RE.finditer(text):
        kind = token.lastgroup
        if kind == "num":
            numbers.append(int(token["num"]))
            shape += "Y" if len(token["num"]) == 4 else "N"
        elif kind == "month":
            number = _MONTHS[" ".join(token["month"].lower().split())]
            if month and number != month:
                raise DateParseError(f"unrecognised date {value!r}: conflicting month names")
            if not shape.endswith("M"):  # "نيسان/أبريل" names one month twice
                shape += "M"
            month = number
        elif kind == "other":
            raise DateParseError(f"unrecognised date {value!r}")

    match shape:
        case "YNN":
            year, month, day = numbers
        case "NNY":
            day, month = _day_month(numbers[0], numbers[1], value)
            year = numbers[2]
        case "NMY" | "MNY":
            day, year = numbers
        case "Y" if not clock:
            return _build(value, [numbers[0], 1, 1]), "year"
        case "MY" if not clock:
            return _build(value, [numbers[0], month, 1]), "month"
        case "YN" | "NY" if not clock:
            year, month = numbers if shape == "YN" else numbers[::-1]
            return _build(value, [year, month, 1]), "month"
        case _:
            raise DateParseError(f"unrecognised date {value!r}")
    return _build(value, [year, month, day, *clock], tz), "time" if clock else "day"


def parse_date(value: object) -> datetime | None:
    """Parse a document or query date into a naive UTC datetime; None for empty values.

    Raises DateParseError for anything unparseable, out of range, impossible or Hijri.
    """
    parsed = _parse(value)
    return None if parsed is None else parsed[0]


def parse_date_bound(value: str, *, end: bool) -> datetime:
    """Parse a search filter bound, widening a year, month or day to its last microsecond.

    With ``end=True`` "2020" means 2020-12-31 23:59:59.999999, so ``to=2020`` includes all of 2020.
    """
    parsed = _parse(value)
    if parsed is None:
        raise DateParseError(f"empty date bound {value!r}")
    moment, precision = parsed
    if not end or precision == "time":
        return moment
    if precision == "year":
        moment = moment.replace(month=12)
    if precision != "day":
        moment = moment.replace(day=calendar.monthrange(moment.year, moment.month)[1])
    return moment.replace(hour=23, minute=59, second=59, microsecond=999_999)
