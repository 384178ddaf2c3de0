"""Read the query language into a structured query; never fail on what a reader types.

    كتاب الطفل           words: documents with all of them first (stemmed: كتابه matches too)
    "معرض الكتاب"        phrase: these words in this order (normalized, not stemmed)
    =الكتاب  "الكتاب"    exact form: this word as written, without clitics or suffixes
    -رياضة               exclude documents with the word
    بيروت OR دمشق        either word (also أو)
    title:الانتخابات      field: title, category, source, author, tags (Arabic: عنوان تصنيف
                         مصدر كاتب وسم) and the index's own fields (search/fields.py)
    انتخاب*              words starting with…, the most frequent MAX_PREFIX_TERMS of them
    date:2020  date:2019..2021  date:>2020-05 (from June)  date:<2021 (to 2020)  date:>=2020

A facet value with spaces is quoted (`source:"عنب بلدي"`); unquoted, the words after it are
taken into the value when together they name a known value exactly (resolve_loose_facets, with
the index's values), and otherwise the result suggests the quotes.

Anything that does not parse (an unbalanced quote or parenthesis, a lone operator, `*` alone)
is read as plain words; parentheses are ignored. Queries are cut at MAX_QUERY_CHARS characters
and MAX_CLAUSES words, and the result says so.
"""

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from search.analysis import TokenReport, explain
from search.dates import DateParseError, parse_date_bound
from search.fields import BUILTIN, FieldRegistry, Kind
from search.normalize import normalize
from search.notices import Notice, date_ignored, facet_quotes, query_cut, words_cut

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 24
OR_WORDS = frozenset({"OR", "أو", "او"})
_INSTANT = timedelta(microseconds=1)

_PIECE = re.compile(
    r"""(?P<neg>-)?
        (?:(?P<field>[^\s:"]+):)?
        (?:"(?P<quoted>[^"]*)"|(?P<word>[^\s"]+))""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Clause:
    """One thing the reader asked for: a word, an exact form, a phrase or a prefix.

    Its words are analysed once, on first use (`words`), and every step downstream (scoring,
    ranking, proximity, highlighting, spelling) reads them: one place to change when the
    analysis changes. Analysis depends on the index's own rules (search/rules.py), so a clause's
    words are first read while they are applied: the engine parses and searches in `_reading()`.
    """

    kind: str  # "word" | "exact" | "phrase" | "prefix"
    text: str  # as typed (without quotes, = or *)
    field: str | None = None  # a text field ("title") to search only it
    boost: float = 1.0  # below 1 for alternatives the reader did not type (synonyms, typos)
    _words: tuple[TokenReport, ...] | None = dataclasses.field(
        default=None, init=False, compare=False, repr=False
    )

    @property
    def words(self) -> tuple[TokenReport, ...]:
        """The clause's words as the index analyses them: normalized form, stem (None for a
        stop word), broken plurals, offsets in `text`; tokens that are only marks left out."""
        if self._words is None:
            object.__setattr__(self, "_words", tuple(explain(self.text)))
        return self._words  # type: ignore[return-value]

    def display(self) -> str:
        prefix = f"{self.field}:" if self.field else ""
        match self.kind:
            case "exact":
                return f"{prefix}={self.text}"
            case "phrase":
                return f'{prefix}"{self.text}"'
            case "prefix":
                return f"{prefix}{self.text}*"
        return prefix + self.text


@dataclass(slots=True)
class LooseFacet:
    """An unquoted facet value (`source:عنب`) and the plain words typed right after it."""

    field: str
    index: int  # its place in ParsedQuery.filters[field]
    start: int  # the group of the first word after it
    words: int = 0


@dataclass(slots=True)
class ParsedQuery:
    """The query as understood: OR-groups that are all wanted, exclusions and filters."""

    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: datetime | None = None
    date_to: datetime | None = None
    notices: list[Notice] = field(default_factory=list)
    loose_facets: list[LooseFacet] = field(default_factory=list)

    def understood(self) -> str:
        """The canonical text of the query, as the engine read it."""
        parts = [" OR ".join(c.display() for c in group) for group in self.groups]
        parts += ["-" + c.display() for c in self.excluded]
        for name, values in self.filters.items():
            parts += [f'{name}:"{v}"' if " " in v else f"{name}:{v}" for v in values]
        if self.date_from or self.date_to:
            start = self.date_from.date().isoformat() if self.date_from else ""
            end = self.date_to.date().isoformat() if self.date_to else ""
            parts.append(f"date:{start}..{end}")
        return " ".join(parts)


def clean_query(text: str) -> tuple[str, list[Notice]]:
    """Remove control, format and unpaired surrogate characters; cut to MAX_QUERY_CHARS."""
    notices = []
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") else c
        for c in text
        if unicodedata.category(c) != "Cf" or c in "\u200c\u200d"
    )
    if len(cleaned) > MAX_QUERY_CHARS:
        cleaned = cleaned[:MAX_QUERY_CHARS]
        notices.append(query_cut(MAX_QUERY_CHARS))
    return cleaned, notices


def parse_query(text: str, registry: FieldRegistry = BUILTIN) -> ParsedQuery:
    """Parse `text` (any string at all) into a ParsedQuery; `field:` names from `registry`."""
    cleaned, notices = clean_query(text)
    if cleaned.count('"') % 2:
        cleaned = cleaned.replace('"', " ")  # unbalanced quote: read as plain words
    cleaned = cleaned.replace("(", " ").replace(")", " ")
    parsed = ParsedQuery(notices=notices)
    pending_or = False
    loose: LooseFacet | None = None
    for match in _PIECE.finditer(cleaned):
        raw_field, quoted, word = match["field"], match["quoted"], match["word"]
        negated = bool(match["neg"])
        if word in OR_WORDS and not raw_field and not negated:
            pending_or = bool(parsed.groups)
            loose = None
            continue
        field_name = registry.resolve(raw_field) if raw_field else None
        kind = registry.get(field_name).kind if field_name else None  # type: ignore[union-attr]
        if field_name and kind not in (Kind.TEXT, Kind.FACET, Kind.DATE):
            field_name = None  # `url:` or `year:` are no operators: read as text
        if raw_field and field_name is None:  # not a field: the colon was part of the text
            word = f"{raw_field}:{word or quoted or ''}"
            quoted = None
        value = quoted if quoted is not None else word
        if kind is Kind.DATE:
            _apply_date(parsed, value)
            loose = None
            continue
        if kind is Kind.FACET:
            loose = None
            if value.strip():
                values = parsed.filters.setdefault(field_name, [])
                values.append(value.strip())
                if quoted is None and not negated:
                    loose = LooseFacet(field_name, len(values) - 1, len(parsed.groups))
                    parsed.loose_facets.append(loose)
            continue
        clause = _clause(value, quoted is not None, field_name)
        if clause is None:
            continue
        if loose and clause == Clause("word", value.strip()) and not (negated or pending_or):
            loose.words += 1
        else:
            loose = None
        if negated:
            parsed.excluded.append(clause)
        elif pending_or:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        pending_or = False
    if sum(len(group) for group in parsed.groups) > MAX_CLAUSES:
        parsed.groups = _cut(parsed.groups)
        parsed.notices.append(words_cut(MAX_CLAUSES))
    return parsed


def resolve_loose_facets(parsed: ParsedQuery, values_of: Callable[[str], Iterable[str]]) -> None:
    """Read `source:عنب بلدي` as the value "عنب بلدي" when that is one of `values_of("source")`.

    The longest run of the words after an unquoted facet value that completes a known value
    (compared normalized) joins it and leaves the words searched; when none does and the value
    alone is unknown too, a notice suggests the quotes.
    """
    for loose in reversed(parsed.loose_facets):  # later ones first: groups removed stay behind
        words = []
        for group in parsed.groups[loose.start : loose.start + loose.words]:
            if len(group) > 1:  # `… arabia OR x`: that word belongs to its alternatives
                break
            words.append(group[0].text)
        known = {normalize(value) for value in values_of(loose.field)}
        values = parsed.filters[loose.field]
        for taken in range(len(words), -1, -1):
            candidate = " ".join([values[loose.index], *words[:taken]])
            if normalize(candidate) in known:
                values[loose.index] = candidate
                del parsed.groups[loose.start : loose.start + taken]
                break
        else:
            if words:
                quoted = " ".join([values[loose.index], words[0]])
                parsed.notices.append(facet_quotes(f'{loose.field}:"{quoted}"'))
    parsed.loose_facets = []


def _clause(value: str, quoted: bool, field_name: str | None) -> Clause | None:
    value = value.strip()
    if quoted:
        if not normalize(value).strip():
            return None
        words = value.split()
        return Clause("exact" if len(words) == 1 else "phrase", " ".join(words), field_name)
    if value.startswith("="):
        value = value.lstrip("=")
        return Clause("exact", value, field_name) if _has_word(value) else None
    if value.endswith("*"):
        stem = value.rstrip("*")
        if len(normalize(stem)) >= 2 and _has_word(stem):
            return Clause("prefix", stem, field_name)
        value = stem
    return Clause("word", value, field_name) if _has_word(value) else None


def _has_word(value: str) -> bool:
    return any(ch.isalnum() for ch in normalize(value))


def _apply_date(parsed: ParsedQuery, value: str) -> None:
    value = value.strip()
    try:
        if ".." in value:
            start, end = value.split("..", 1)
            parsed.date_from = parse_date_bound(start, end=False) if start else None
            parsed.date_to = parse_date_bound(end, end=True) if end else None
        elif value.startswith(">="):
            parsed.date_from = parse_date_bound(value[2:], end=False)
        elif value.startswith(">"):  # after the whole period: date:>2018-10 starts in November
            parsed.date_from = parse_date_bound(value[1:], end=True) + _INSTANT
        elif value.startswith("<="):
            parsed.date_to = parse_date_bound(value[2:], end=True)
        elif value.startswith("<"):  # before the period begins: date:<2018 ends in 2017
            parsed.date_to = parse_date_bound(value[1:], end=False) - _INSTANT
        else:
            parsed.date_from = parse_date_bound(value, end=False)
            parsed.date_to = parse_date_bound(value, end=True)
    except DateParseError:
        parsed.notices.append(date_ignored(value))


def _cut(groups: list[list[Clause]]) -> list[list[Clause]]:
    kept, count = [], 0
    for group in groups:
        if count + len(group) > MAX_CLAUSES:
            break
        kept.append(group)
        count += len(group)
    return kept
