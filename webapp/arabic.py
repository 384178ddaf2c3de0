"""Arabic presentation of numbers, dates and counted nouns for the pages (never for the JSON API).

Numbers use Arabic-Indic digits with the Arabic thousands (٬) and decimal (٫) separators, as
Mashriq readers expect; counted nouns follow the six Arabic plural categories (CLDR), so the page
says "نتيجة واحدة", "نتيجتان", "٥ نتائج", "١١ نتيجة" rather than one form for all.
"""

import re
from dataclasses import dataclass
from datetime import date

_DIGITS = str.maketrans("0123456789,.", "٠١٢٣٤٥٦٧٨٩٬٫")
MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")


def digits(text: object) -> str:
    """`text` with Western digits and separators written the Arabic way."""
    return str(text).translate(_DIGITS)


def number(value: float, decimals: int = 0) -> str:
    """A grouped number in Arabic digits: 3456 -> ٣٬٤٥٦, (4.5, 1) -> ٤٫٥."""
    return digits(f"{value:,.{decimals}f}")


@dataclass(frozen=True, slots=True)
class Noun:
    """The forms of a counted noun; `one` and `two` are whole phrases without the number."""

    one: str
    two: str
    few: str  # 3-10
    many: str  # 11-99
    other: str  # 0, 100, 101, 102…


RESULTS = Noun("نتيجة واحدة", "نتيجتان", "نتائج", "نتيجة", "نتيجة")
ARTICLES = Noun("مقال واحد", "مقالان", "مقالات", "مقالًا", "مقال")
PAGES = Noun("صفحة واحدة", "صفحتان", "صفحات", "صفحة", "صفحة")


def counted(n: int, noun: Noun) -> str:
    """`n` with the right form of `noun`."""
    if n == 1:
        return noun.one
    if n == 2:
        return noun.two
    rest = n % 100
    form = noun.few if 3 <= rest <= 10 else noun.many if rest >= 11 else noun.other
    return f"{number(n)} {form}"


def day(iso: str | None) -> str:
    """An ISO date or date-time as "٤ أكتوبر ٢٠١٩"; partial dates as far as they go."""
    if not iso:
        return ""
    if match := _ISO_DAY.match(iso):
        year, month, day_of_month = (int(part) for part in match.groups())
        if _valid(year, month, day_of_month):
            return f"{digits(day_of_month)} {MONTHS[month - 1]} {digits(year)}"
    return month_name(iso)


def month_name(value: str) -> str:
    """A "YYYY-MM" value as "أكتوبر ٢٠١٩"; anything else in Arabic digits."""
    if (match := _ISO_MONTH.fullmatch(value)) and 1 <= int(match[2]) <= 12:
        return f"{MONTHS[int(match[2]) - 1]} {digits(match[1])}"
    return digits(value)


def _valid(year: int, month: int, day_of_month: int) -> bool:
    try:
        date(year, month, day_of_month)
    except ValueError:
        return False
    return True
