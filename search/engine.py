"""The search core behind the CLI, the web pages and the JSON API: one engine, one answer.

A SearchEngine opens the index once and keeps a searcher with the facet arrays of its
generation. Before each search it checks whether `fahras index` committed since; if so it opens
a fresh searcher (never `Searcher.refresh()`, which shows stale deletions in whoosh3).
"""

import contextlib
import functools
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from whoosh.index import Index
from whoosh.util.times import long_to_datetime

from search.analysis import TokenReport, explain
from search.dates import DateParseError, parse_date_bound
from search.errors import QueryError
from search.facets import NO_DATE, FacetCounts, FacetTable, combine, filter_masks
from search.fields import BUILTIN, FieldRegistry, Kind, hit_facets
from search.highlight import MatchTerms, highlight_all, snippet, terms_for
from search.notices import Notice, rebuild_needed
from search.postings import Scans
from search.query import clean_query, parse_query
from search.recency import recency_factors
from search.rules import NO_RULES, AnalysisRules, applied
from search.schema import FACET_SEPARATOR
from search.scorer import QueryScorer
from search.settings import installed, rebuild_reasons
from search.store import open_index, read_meta
from search.suggest import Vocabulary
from search.synonyms import expand

MAX_PER_PAGE = 100
MAX_RESULTS_DEPTH = 1000  # pages beyond this many results are refused: nobody reads them
SORTS = ("relevance", "newest", "oldest")
FEW_RESULTS = 3  # fewer hits than this: offer "did you mean"


@dataclass(frozen=True, slots=True)
class SearchRequest:
    q: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    fragments: int = 2
    fragment_size: int = 160
    facet_limit: int = 10


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    title: str  # safe HTML: escaped, matches in <mark>
    snippet: str  # safe HTML
    score: float | None
    date: str | None
    facets: dict[str, list[str]]  # every facet of the index, [] where the document has none
    url: str | None

    def as_dict(self) -> dict[str, object]:
        """The JSON of a hit: the built-in facets also as keys of their own, as before."""
        found = vars_of(self)
        return found | {name: self.facets.get(name, []) for name in BUILTIN.facet_names}


@dataclass(slots=True)
class SearchResult:
    query: str
    understood: str
    total: int
    page: int
    pages: int
    per_page: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, FacetCounts]
    suggestion: str | None
    partial: bool  # no document has all the words: these match some of them
    notices: list[Notice]
    sort: str
    filters: dict[str, list[str]]
    labels: dict[str, str] = field(default_factory=dict)  # Arabic name of each facet

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "understood": self.understood,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "per_page": self.per_page,
            "took_ms": round(self.took_ms, 1),
            "sort": self.sort,
            "filters": self.filters,
            "partial": self.partial,
            "suggestion": self.suggestion,
            "notices": [notice.as_dict() for notice in self.notices],
            "results": [hit.as_dict() for hit in self.hits],
            "facets": {
                name: {
                    "label": self.labels.get(name, name),
                    "values": [vars_of(v) for v in counts.values],
                    "truncated": counts.truncated,
                }
                for name, counts in self.facets.items()
            },
        }


def vars_of(item: object) -> dict[str, object]:
    return {name: getattr(item, name) for name in item.__slots__}  # type: ignore[attr-defined]


@dataclass(slots=True)
class DocumentView:
    id: str
    title: str  # safe HTML
    body: str  # safe HTML, matches marked
    date: str | None
    facets: dict[str, list[str]]
    url: str | None
    extra: dict[str, object]


class _Generation:
    """A searcher and everything derived from its index generation."""

    def __init__(self, index: Index) -> None:
        self.searcher = index.searcher()
        index_dir = Path(index.storage.folder)
        try:  # read after the searcher: settings installed with a commit are never missed
            self.settings = installed(index_dir)  # see search/settings.py
        except Exception:
            self.searcher.close()
            raise
        self.fields: FieldRegistry = self.settings.registry()
        built = read_meta(index_dir).get("settings")
        rules = AnalysisRules.from_dict(built.get("analysis", {})) if built else NO_RULES
        self.rules = rules or NO_RULES  # no rules of its own: the shared caches serve it
        self.rebuild = rebuild_reasons(built, self.settings)  # type: ignore[arg-type]
        # Whoosh readers are not safe across threads: whole-vocabulary scans get their own.
        self.scans = Scans(index.reader())
        self.facets = FacetTable(self.searcher.reader(), self.fields)
        self.scorer = QueryScorer(self.searcher, self.facets, self.scans, self.fields)
        self.vocabulary = Vocabulary(self.searcher, self.scans)

    def close(self) -> None:
        self.searcher.close()
        self.scans.close()

    def warm_up(self) -> None:
        """Read the term lists (about a second on a large index) before a reader waits on them."""
        with contextlib.suppress(Exception), applied(self.rules):  # closed meanwhile: a newer one
            for field in ("body", "title"):
                self.scorer.postings.stem_forms(field)
            self.vocabulary.words()
            self.vocabulary.complete("ا")


def _with_index_rules(method):  # type: ignore[no-untyped-def]
    """Run an engine method under the analysis rules its index was built with (search/rules.py)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self._lock, applied(self._current().rules):
            return method(self, *args, **kwargs)

    return wrapper


class SearchEngine:
    """Searches one index; thread-safe.

    With `reopen="wait"` (the default) a search after a commit waits for the new generation,
    so the next result always reflects it, as a script or a test expects. With
    `reopen="background"` (the web app) the new generation is opened and warmed in a thread
    while searches go on in the old one, which is replaced when the new one is ready: a commit
    never stalls a page, and new documents show up a second or two later.
    """

    def __init__(self, index_dir: Path, reopen: str = "wait") -> None:
        if reopen not in ("wait", "background"):
            raise ValueError(f"reopen must be 'wait' or 'background', not {reopen!r}")
        self.index_dir = Path(index_dir)
        self.index = open_index(self.index_dir)
        self.reopen = reopen
        self._lock = threading.RLock()
        self._generation: _Generation | None = None
        self._fresh: _Generation | None = None
        self._opening = False

    def _current(self) -> _Generation:
        """The live generation (call with the lock held), replaced after a commit."""
        current = self._generation
        if self._fresh is not None:
            current, self._fresh = self._fresh, None
        elif current is None or (not self._opening and not current.searcher.up_to_date()):
            if current is not None and self.reopen == "background":
                self._opening = True
                threading.Thread(target=self._open_in_background, daemon=True).start()
                return current
            current = _Generation(self.index)  # if this fails, the old one is kept
            threading.Thread(target=current.warm_up, daemon=True).start()
        if current is not self._generation:
            if self._generation is not None:
                self._generation.close()
            self._generation = current
        return current

    def _open_in_background(self) -> None:
        fresh = None
        try:
            fresh = _Generation(self.index)
            fresh.warm_up()
        except Exception:  # keep serving the old generation; the next search tries again
            fresh = None
        with self._lock:
            self._fresh, self._opening = fresh, False

    def close(self) -> None:
        with self._lock:
            for generation in (self._generation, self._fresh):
                if generation is not None:
                    generation.close()
            self._generation = self._fresh = None

    def doc_count(self) -> int:
        with self._lock:
            return self._current().searcher.doc_count()

    def generation(self) -> int:
        with self._lock:
            return self._current().searcher.reader().generation()

    @property
    def fields(self) -> FieldRegistry:
        """The index's fields: built-in ones and those of its settings file."""
        with self._lock:
            return self._current().fields

    @_with_index_rules
    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        page, per_page, sort = _check(request)
        generation = self._current()
        parsed = parse_query(request.q, generation.fields)
        expanded = expand(parsed, generation.settings.synonyms)
        date_from = _bound(request.date_from, "from", end=False)
        date_to = _bound(request.date_to, "to", end=True)
        selections = {
            name: [v for v in dict.fromkeys(values) if v]
            for name, values in request.filters.items()
            if values
        }
        unknown = set(selections) - set(generation.fields.filter_names)
        if unknown:
            known = ", ".join(generation.fields.filter_names)
            raise QueryError(f"unknown filter: {', '.join(sorted(unknown))} (filters: {known})")
        with self._lock:
            generation = self._current()
            searcher, table = generation.searcher, generation.facets
            evaluation = generation.scorer.evaluate(expanded)
            base = evaluation.mask
            if date_from or date_to:
                base &= table.date_mask(date_from, date_to)
            masks = filter_masks(table, selections)
            allowed = combine(base, masks)
            total = int(allowed.sum())
            pages = max(1, math.ceil(total / per_page))
            facets = {
                name: table.count(
                    name,
                    combine(base, masks, skip=name),
                    selections.get(name, ()),
                    generation.fields.get(name).limit or request.facet_limit,  # type: ignore
                )
                for name in generation.fields.filter_names
            }
            if not parsed.groups and sort == "relevance":
                sort = "newest"  # nothing to rank by: show the latest first
            half_life = generation.settings.half_life_days
            if half_life and sort == "relevance":
                evaluation.scores *= recency_factors(table.dates, NO_DATE, half_life)
            docnums, scores = _page(table, evaluation.scores, allowed, sort, page, per_page)
            terms = terms_for(expanded)
            hits = [
                _hit(searcher.stored_fields(d), s, terms, request, generation.fields)
                for d, s in zip(docnums, scores, strict=True)
            ]
            suggestion = None
            if total < FEW_RESULTS and parsed.groups:
                suggestion = generation.vocabulary.did_you_mean(parsed)
        return SearchResult(
            query=clean_query(request.q)[0],
            understood=parsed.understood(),
            total=total,
            page=page,
            pages=pages,
            per_page=per_page,
            took_ms=(time.perf_counter() - started) * 1000,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            partial=evaluation.partial,
            notices=parsed.notices + evaluation.notices + _rebuild_notices(generation),
            sort=sort,
            filters=selections,
            labels=generation.fields.labels(),
        )

    @_with_index_rules
    def explain(self, text: str) -> list[TokenReport]:
        """`analysis.explain` under the index's own rules (protected words, stems, stop words)."""
        return explain(text)

    @_with_index_rules
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        with self._lock:
            return self._current().vocabulary.complete(prefix, limit)

    @_with_index_rules
    def document(self, doc_id: str, q: str = "") -> DocumentView | None:
        """One document, its body fully highlighted for the query `q` (if any)."""
        with self._lock:
            generation = self._current()
            searcher = generation.searcher
            docnum = searcher.document_number(id=doc_id)
            if docnum is None:
                return None
            stored = searcher.stored_fields(docnum)
        query = parse_query(q, generation.fields)
        terms = terms_for(expand(query, generation.settings.synonyms)) if q else MatchTerms()
        return DocumentView(
            id=stored["id"],
            title=highlight_all(stored.get("title") or "", terms),
            body=highlight_all(stored.get("body") or "", terms),
            date=_iso(stored.get("date")),
            facets=hit_facets(stored, generation.fields, FACET_SEPARATOR),
            url=stored.get("url"),
            extra=_extra(stored, generation.fields),
        )

    def stats(self) -> dict[str, object]:
        """Document count, facet value counts, date range: what `fahras stats` prints."""
        with self._lock:
            generation = self._current()
            table = generation.facets
            everything = table.live.copy()
            dated = table.dates[everything & (table.dates != NO_DATE)]
            facets = {
                name: {v.value: v.count for v in table.count(name, everything, limit=10**9).values}
                for name in generation.fields.filter_names
                if name != "month"
            }
            return {
                "documents": generation.searcher.doc_count(),
                "generation": generation.searcher.reader().generation(),
                "date_min": _iso(long_to_datetime(int(dated.min()))) if dated.size else None,
                "date_max": _iso(long_to_datetime(int(dated.max()))) if dated.size else None,
                "facets": facets,
                "labels": generation.fields.labels(),
            }


def _check(request: SearchRequest) -> tuple[int, int, str]:
    if request.sort not in SORTS:
        raise QueryError(f"unknown sort {request.sort!r}: use one of {', '.join(SORTS)}")
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if request.page < 1:
        raise QueryError("page must be 1 or more")
    if request.page * request.per_page > MAX_RESULTS_DEPTH + request.per_page:
        raise QueryError(f"only the first {MAX_RESULTS_DEPTH} results can be paged through")
    return request.page, request.per_page, request.sort


def _bound(value: str | None, name: str, *, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        return parse_date_bound(value, end=end)
    except DateParseError as exc:
        raise QueryError(f"{name}: {exc}") from None


def _page(
    table: FacetTable,
    scores: np.ndarray,
    allowed: np.ndarray,
    sort: str,
    page: int,
    per_page: int,
) -> tuple[list[int], list[float | None]]:
    """Docnums and scores of the requested page: a partial sort of the allowed documents."""
    start, end = (page - 1) * per_page, page * per_page
    docnums = np.flatnonzero(allowed)
    if sort == "relevance":
        keys = -scores[docnums]
    elif sort == "newest":
        keys = -table.dates[docnums].astype(np.float64)  # undated (NO_DATE) sort last
    else:
        dates = table.dates[docnums]
        keys = np.where(dates == NO_DATE, np.inf, dates.astype(np.float64))
    if end < docnums.size:  # keep the first `end` by (key, docnum), ties at the cut included
        cut = np.partition(keys, end - 1)[end - 1]
        nearest = keys <= cut
        docnums, keys = docnums[nearest], keys[nearest]
    order = np.lexsort((docnums, keys))[start:end]  # ties: lower docnum first, on every page
    chosen = docnums[order].tolist()
    if sort != "relevance":
        return chosen, [None] * len(chosen)
    return chosen, [round(float(scores[d]), 4) for d in chosen]


def _hit(
    stored: dict[str, object],
    score: float | None,
    terms: MatchTerms,
    request: SearchRequest,
    fields: FieldRegistry,
) -> Hit:
    body = str(stored.get("body") or "")
    return Hit(
        id=str(stored["id"]),
        title=highlight_all(str(stored.get("title") or ""), terms),
        snippet=snippet(body, terms, request.fragments, request.fragment_size),
        score=score,
        date=_iso(stored.get("date")),
        facets=hit_facets(stored, fields, FACET_SEPARATOR),
        url=str(stored["url"]) if stored.get("url") else None,
    )


def _extra(stored: dict[str, object], fields: FieldRegistry) -> dict[str, object]:
    """The document's own text fields (a summary…) and its other stored keys."""
    own = [f.name for f in fields.of_kind(Kind.TEXT) if not f.builtin and stored.get(f.name)]
    return {name: stored[name] for name in own} | (stored.get("extra") or {})  # type: ignore


def _rebuild_notices(generation: _Generation) -> list[Notice]:
    return [rebuild_needed(generation.rebuild)] if generation.rebuild else []


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None
