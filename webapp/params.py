"""A search's URL parameters: read and checked here (errors in Arabic), written back as URLs.

/search and /api/search take the same parameters, and every link the pages make (chips, paging,
"did you mean", clear all) is built from a SearchParams, so each state has one canonical URL.
Checks use the engine's own limits, so a request that passes here is one the engine accepts.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from search.dates import DateParseError, parse_date_bound
from search.engine import MAX_PER_PAGE, MAX_RESULTS_DEPTH, SORTS, SearchRequest
from search.facets import ALL_FACETS
from search.query import MAX_QUERY_CHARS
from webapp.arabic import number

SCALARS = ("q", "sort", "page", "per_page", "from", "to", "typos")
TYPOS = {"on": True, "off": False}  # off: only the typed words (search/typos.py)
MAX_FILTER_VALUES = 50  # all facets together: more is not a reader, and costs the engine
MAX_VALUE_CHARS = 200


class ParamError(Exception):
    """A bad URL parameter; `message` is Arabic and says how to put it right."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True, slots=True)
class SearchParams:
    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int | None = None  # None: the site's setting
    typos: bool = True  # a word matching almost nothing is searched with its neighbour too

    def request(self, per_page: int, facet_limit: int, fragment_size: int) -> SearchRequest:
        return SearchRequest(
            q=self.q,
            filters={name: list(values) for name, values in self.filters.items()},
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            sort=self.sort,
            page=self.page,
            per_page=self.per_page or per_page,
            fragment_size=fragment_size,
            facet_limit=facet_limit,
            typos=self.typos,
        )

    def args(self) -> dict[str, str | list[str]]:
        """URL parameters of this state, defaults left out (for `url_for`)."""
        args: dict[str, str | list[str]] = {}
        if self.q:
            args["q"] = self.q
        for name, values in self.filters.items():
            args[name] = list(values)
        if self.date_from:
            args["from"] = self.date_from
        if self.date_to:
            args["to"] = self.date_to
        if self.sort != "relevance":
            args["sort"] = self.sort
        if self.per_page:
            args["per_page"] = str(self.per_page)
        if self.page > 1:
            args["page"] = str(self.page)
        if not self.typos:
            args["typos"] = "off"
        return args

    def without(self, facet: str, value: str) -> "SearchParams":
        """This search with one facet value dropped, from page 1."""
        filters = dict(self.filters)
        kept = tuple(v for v in filters.pop(facet, ()) if v != value)
        if kept:
            filters[facet] = kept
        return replace(self, filters=filters, page=1)

    def with_changes(self, **changes: object) -> "SearchParams":
        """This search changed (`q`, dates, …), back on page 1 unless a page is given."""
        return replace(self, **{"page": 1, **changes})  # type: ignore[arg-type]


def parse_search_args(
    args: Mapping[str, Sequence[str]],
    default_per_page: int,
    facets: Collection[str] = ALL_FACETS,
) -> SearchParams:
    """Check every parameter of /search or /api/search; raise ParamError for the first bad one.

    `args` maps each name to all its values (werkzeug: `request.args.to_dict(flat=False)`);
    `facets` are the index's filters (its FieldRegistry's `filter_names`).
    """
    unknown = sorted(set(args) - set(SCALARS) - set(facets))
    if unknown:
        known = "، ".join((*SCALARS, *facets))
        raise ParamError(
            unknown[0], f"معامل غير معروف «{unknown[0]}». المعاملات المقبولة: {known}."
        )
    first = {name: (values[0] if values else "") for name, values in args.items()}
    if len(first.get("q", "")) > MAX_QUERY_CHARS:
        raise ParamError("q", f"الاستعلام أطول من {number(MAX_QUERY_CHARS)} حرف؛ اختصره.")
    sort = first.get("sort") or "relevance"
    if sort not in SORTS:
        raise ParamError("sort", f"ترتيب غير معروف «{sort}». استخدم: {'، '.join(SORTS)}.")
    per_page = _whole(first, "per_page", 1, MAX_PER_PAGE, "عدد النتائج في الصفحة")
    page = _whole(first, "page", 1, None, "رقم الصفحة") or 1
    size = per_page or default_per_page
    deepest = (MAX_RESULTS_DEPTH + size) // size  # the engine's own limit
    if page > deepest:
        raise ParamError(
            "page", f"لا يمكن التصفح أبعد من أول {number(MAX_RESULTS_DEPTH)} نتيجة؛ ضيّق البحث."
        )
    typos = TYPOS.get(first.get("typos", "").strip() or "on")
    if typos is None:
        raise ParamError("typos", "قيمة «typos» إما on أو off (off: الكلمات المكتوبة فقط).")
    date_from = _date(first, "from", end=False)
    date_to = _date(first, "to", end=True)
    if (
        date_from
        and date_to
        and parse_date_bound(date_from, end=False) > parse_date_bound(date_to, end=True)
    ):
        raise ParamError("to", "تاريخ النهاية قبل تاريخ البداية؛ بدّل بينهما.")
    return SearchParams(
        q=first.get("q", ""),
        filters=_filters(args, facets),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=per_page,
        typos=typos,
    )


def _whole(
    first: Mapping[str, str], name: str, low: int, high: int | None, what: str
) -> int | None:
    raw = first.get(name, "").strip()
    if not raw:
        return None
    limit = f"من {number(low)} إلى {number(high)}" if high else f"من {number(low)} فصاعدًا"
    try:
        value = int(raw)  # also reads Arabic-Indic digits
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        raise ParamError(name, f"{what} يجب أن يكون عددًا صحيحًا {limit}.")
    return value


def _date(first: Mapping[str, str], name: str, *, end: bool) -> str:
    raw = first.get(name, "").strip()
    if raw:
        try:
            parse_date_bound(raw, end=end)
        except DateParseError:
            what = "تاريخ النهاية" if end else "تاريخ البداية"
            raise ParamError(
                name, f"{what} «{raw}» غير مفهوم. اكتبه هكذا: 2019-10-04 أو 2019-10 أو 2019."
            ) from None
    return raw


def _filters(
    args: Mapping[str, Sequence[str]], facets: Collection[str]
) -> dict[str, tuple[str, ...]]:
    filters = {}
    for name in facets:
        values = tuple(dict.fromkeys(v.strip() for v in args.get(name, ()) if v.strip()))
        if values:
            filters[name] = values
    count = sum(len(values) for values in filters.values())
    if count > MAX_FILTER_VALUES:
        raise ParamError("filters", f"عوامل التصفية كثيرة جدًا؛ الحد {number(MAX_FILTER_VALUES)}.")
    for name, values in filters.items():
        if any(len(value) > MAX_VALUE_CHARS for value in values):
            raise ParamError(name, f"قيمة «{name}» أطول من {number(MAX_VALUE_CHARS)} حرف.")
    return filters
