"""The search core behind the CLI, the web pages and the JSON API: one engine, one answer.

A SearchEngine opens the index once and keeps its live generation: searchers and the arrays
derived from it. Before each search it checks whether a writer committed since; if so it opens
the new generation afresh (never `Searcher.refresh()`, which shows stale deletions in whoosh3).
"""

import contextlib
import logging
import math
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import datetime
from pathlib import Path

import numpy as np
from whoosh.index import Index
from whoosh.searching import Searcher
from whoosh.util.times import long_to_datetime

from search.analysis import TokenReport, explain
from search.answer_cache import AnswerCache
from search.budget import REQUEST_BUDGET, Deadline
from search.dates import DateParseError, parse_date_bound
from search.derived import built_rules, missing_segments, open_generation
from search.errors import QueryError
from search.facets import NO_DATE, FacetCounts, FacetTable, combine, filter_masks
from search.fields import BUILTIN, FieldRegistry, Kind, hit_facets
from search.highlight import MatchTerms, Span, highlight_all, marked_all, marked_snippet, terms_for
from search.notices import Notice, budget_spent, rebuild_needed, typo_tolerated
from search.postings import Postings
from search.query import ParsedQuery, clean_query, parse_query, resolve_loose_facets
from search.readers import hold_files, open_searcher
from search.recency import recency_factors
from search.related import related_documents
from search.rules import applied
from search.schema import FACET_SEPARATOR
from search.scorer import QueryScorer
from search.settings import Settings, installed, rebuild_reasons
from search.stemmer import lexicon
from search.store import open_index, read_meta, writer_running
from search.suggest import Vocabulary
from search.synonyms import expand
from search.typos import Tolerated, tolerate

MAX_PER_PAGE = 100
MAX_RESULTS_DEPTH = 1000  # pages beyond this many results are refused: nobody reads them
SORTS = ("relevance", "newest", "oldest")
REOPEN_MODES = ("wait", "background", "never")
FEW_RESULTS = 3  # fewer hits than this: offer "did you mean"
CHECK_EVERY = 1.0  # seconds: list the index folder this often even if its mtime did not change
WAIT_FOR_WRITER = 10.0  # seconds a running writer gets to write a generation's derived data

log = logging.getLogger(__name__)
clock = time.monotonic  # when to look for commits (tests advance a fake one)


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
    typos: bool = True  # False: search the typed words only (search/typos.py)


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    title: str  # safe HTML: escaped, matches in <mark>
    snippet: str  # safe HTML
    score: float | None
    date: str | None
    facets: dict[str, list[str]]  # every facet of the index, [] where the document has none
    url: str | None
    # The same as data, for faces that are not HTML: plain text and the matches' offsets in it.
    title_text: str = ""
    title_spans: tuple[Span, ...] = ()
    snippet_text: str = ""
    snippet_spans: tuple[Span, ...] = ()

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
    typos: list[Tolerated] = field(default_factory=list)  # words searched with a neighbour

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
            "typos": [typo.as_dict() for typo in self.typos],
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
    """One index generation: its derived data, and searchers to lend, one per running search.

    Whoosh readers share file positions, so two threads never read through the same searcher;
    each search borrows one (opened on demand, of this same generation) and gives it back.
    The generation closes once it is retired and its last search has ended.
    """

    def __init__(self, index: Index, index_dir: Path, searchers: int = 8) -> None:
        first = open_searcher(index)  # every file held: a merging commit may delete them
        reader = first.reader()
        generation = reader.generation()  # None: an index with no segment yet (EmptyReader)
        self.number = index.latest_generation() if generation is None else generation
        try:  # read after the searcher: settings installed with a commit are never missed
            self.settings: Settings = installed(index_dir)  # see search/settings.py
            self.fields: FieldRegistry = self.settings.registry()
            built = read_meta(index_dir).get("settings")
            self.rules = built_rules(index_dir)  # what its stems were derived with
            self.rebuild = rebuild_reasons(built, self.settings)  # type: ignore[arg-type]
            with applied(self.rules):
                self.data, self.derived_here = open_generation(index_dir, reader)
        except BaseException:
            first.close()
            raise
        if self.derived_here:
            log.info(
                "%s: no derived data for %d segment(s), derived in memory; the next "
                "`fahras index` writes it",
                index_dir,
                len(self.derived_here),
            )
        self.facets = FacetTable(self.data, self.fields)
        self.postings = Postings(self.data)
        self.vocabulary = Vocabulary(self.data)
        self._index = index
        self._segments = [leaf.segment() for leaf, _ in reader.leaf_readers() if leaf.segment()]
        self._schema = reader.schema
        self._idle: queue.LifoQueue[Searcher] = queue.LifoQueue()
        self._idle.put(first)
        self._opened = [first]
        self._most = searchers
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False

    @contextlib.contextmanager
    def lend(self) -> Iterator[Searcher]:
        """A searcher of this generation that no other thread uses until it is given back."""
        try:
            searcher = self._idle.get_nowait()
        except queue.Empty:
            searcher = self._open_another() or self._idle.get()
        try:
            yield searcher
        finally:
            self._idle.put(searcher)

    def _open_another(self) -> Searcher | None:
        with self._lock:
            if len(self._opened) >= self._most:
                return None
            try:  # the same segments as the first searcher, not whatever is newest now
                reader = self._index._reader(
                    self._index.storage, self._schema, list(self._segments), self.number
                )
            except OSError:  # merged away meanwhile: wait for a searcher already open
                return None
            try:
                hold_files(reader)
            except OSError:
                reader.close()
                return None
            searcher = Searcher(reader, fromindex=self._index)
            self._opened.append(searcher)
            return searcher

    def enter(self) -> None:
        with self._lock:
            self._users += 1

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            done = self._retired and self._users == 0
        if done:
            self._close()

    def retire(self) -> None:
        """Close when the last search using this generation ends (now, if none does)."""
        with self._lock:
            self._retired = True
            done = self._users == 0
        if done:
            self._close()

    def _close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for searcher in opened:
            with contextlib.suppress(Exception):
                searcher.close()


class SearchEngine:
    """Searches one index; thread-safe, and searches run side by side.

    Each search takes the live generation under a lock held only to look at it, and reads
    through a searcher of its own. A commit is noticed by a stat of the index folder (and a
    listing at most every CHECK_EVERY seconds): the new generation opens in milliseconds from
    the data its writer derived at commit (search/derived.py) and replaces the old one for the
    searches that start after it; searches never go back to an older generation. Without
    derived data (an index from an older Fahras, or a writer that has not finished writing
    it), `reopen="wait"` (scripts, tests) derives what is missing in memory before answering,
    and `reopen="background"` (the web app) keeps answering from the old generation: it waits
    up to WAIT_FOR_WRITER seconds for a running writer's files, then derives in a thread.
    With `reopen="never"` the engine keeps the generation it opened first: a fixed view, to
    compare a snapshot with the generation it copied. `answers_kept` answers to searches are
    kept for when they are asked again (search/answer_cache.py); the web app keeps some.
    """

    def __init__(self, index_dir: Path, reopen: str = "wait", answers_kept: int = 0) -> None:
        if reopen not in REOPEN_MODES:
            raise ValueError(f"reopen must be one of {REOPEN_MODES}, not {reopen!r}")
        self._answers: AnswerCache[SearchResult] = AnswerCache(answers_kept)
        self.index_dir = Path(index_dir)
        self.index = open_index(self.index_dir)
        self.reopen = reopen
        self._lock = threading.Lock()
        self._generation: _Generation | None = None
        self._opening = False
        self._folder_seen = -1
        self._listed = -math.inf
        self._pending: int | None = None  # a newer generation waiting for its derived data
        self._pending_since = 0.0

    def _current(self) -> _Generation:
        """The live generation (call with the lock held), replaced after a commit."""
        if self._generation is None:
            self._switch(_Generation(self.index, self.index_dir))
        elif not self._opening and self.reopen != "never":
            newer = self._newer()
            if newer is not None:
                self._open_newer(newer)
        assert self._generation is not None
        return self._generation

    def _newer(self) -> int | None:
        """The number of a generation newer than the live one, if one was committed."""
        assert self._generation is not None
        if self._pending is not None:
            return self._pending
        changed = os.stat(self.index_dir).st_mtime_ns
        now = clock()
        if changed == self._folder_seen and now - self._listed < CHECK_EVERY:
            return None
        self._folder_seen, self._listed = changed, now
        latest = self.index.latest_generation()
        return latest if latest > self._generation.number else None

    def _open_newer(self, number: int) -> None:
        waiting = missing_segments(self.index_dir, self.index)
        if not waiting or self.reopen == "wait":
            self._pending = None
            self._switch(_Generation(self.index, self.index_dir))  # if this fails, the old stays
            return
        if self._pending is None:
            self._pending, self._pending_since = number, clock()
        overdue = clock() - self._pending_since > WAIT_FOR_WRITER
        if overdue or not writer_running(self.index_dir):
            self._pending = None
            self._opening = True
            threading.Thread(target=self._open_in_background, daemon=True).start()

    def _open_in_background(self) -> None:
        fresh = None
        try:
            fresh = _Generation(self.index, self.index_dir)
        except Exception:  # keep serving the old generation; the next search tries again
            log.exception("could not open the new index generation in %s", self.index_dir)
        with self._lock:
            self._opening = False
            if fresh is not None:
                self._switch(fresh)

    def _switch(self, fresh: _Generation) -> None:
        """Make `fresh` the live generation, unless it is not newer (never go back)."""
        old = self._generation
        if old is not None and fresh.number <= old.number:
            fresh.retire()
            return
        self._generation = fresh
        self._answers.clear()  # the old generation's answers: unreachable, their memory freed
        if old is not None:
            old.retire()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[_Generation, Searcher]]:
        """The live generation and a searcher of it for this thread, for one operation."""
        with self._lock:
            generation = self._current()
            generation.enter()
        try:  # analyzed under the index's own rules (search/rules.py), in this thread only
            with generation.lend() as searcher, applied(generation.rules):
                yield generation, searcher
        finally:
            generation.leave()

    def close(self) -> None:
        with self._lock:
            if self._generation is not None:
                self._generation.retire()
            self._generation = None

    def readiness(self) -> int | None:
        """The generation searches are answered from, or None while none is open yet (one
        then starts opening in the background): what a load balancer's readiness probe asks."""
        with self._lock:
            if self._generation is not None:
                return self._generation.number
            if not self._opening:
                self._opening = True
                threading.Thread(target=self._open_in_background, daemon=True).start()
            return None

    def doc_count(self) -> int:
        with self._reading() as (_, searcher):
            return searcher.doc_count()

    def generation(self) -> int:
        with self._reading() as (generation, _):
            return generation.number

    @property
    def fields(self) -> FieldRegistry:
        """The index's fields: built-in ones and those of its settings file."""
        with self._lock:  # the live generation's own; no searcher needs lending for it
            return self._current().fields

    def search(self, request: SearchRequest, afresh: bool = False) -> SearchResult:
        """The answer to `request`; `afresh`: searched now, even if an answer was kept."""
        started = time.perf_counter()
        page, per_page, sort = _check(request)
        lexicon()  # the stemmer's word counts, read once per process outside the time limit
        date_from = _bound(request.date_from, "from", end=False)
        date_to = _bound(request.date_to, "to", end=True)
        selections = {
            name: [v for v in dict.fromkeys(values) if v]
            for name, values in request.filters.items()
            if values
        }
        with self._reading() as (generation, searcher):
            fields = generation.fields
            unknown = set(selections) - set(fields.filter_names)
            if unknown:
                known = ", ".join(fields.filter_names)
                raise QueryError(f"unknown filter: {', '.join(sorted(unknown))} (filters: {known})")
            key = _answer_key(generation.number, request)
            kept = None if afresh else self._answers.get(key)
            if kept is not None:
                return replace(kept, took_ms=(time.perf_counter() - started) * 1000)
            deadline = Deadline.after(REQUEST_BUDGET)  # once the generation is ready
            table = generation.facets
            parsed = parse_query(request.q, fields)
            resolve_loose_facets(parsed, lambda name: table.columns[name].values)
            expanded = expand(parsed, generation.settings.synonyms)
            postings = generation.postings.reading(searcher)
            scorer = QueryScorer(searcher, table, postings, fields)
            typos: list[Tolerated] = []
            if request.typos:
                expanded, typos = _tolerate(expanded, scorer, generation, searcher)
            evaluation = scorer.evaluate(expanded, deadline)
            skipped: list[str] = []
            matched, ranked = evaluation.docnums, evaluation.scores
            if date_from or date_to:
                dated = table.date_mask(date_from, date_to, matched)
                matched, ranked = matched[dated], ranked[dated]
            masks = filter_masks(table, selections, matched)
            allowed = combine(np.ones(matched.size, dtype=bool), masks)
            total = int(allowed.sum())
            pages = max(1, math.ceil(total / per_page))
            facets = _facet_counts(
                table, matched, masks, selections, request, deadline, skipped, fields
            )
            if not parsed.groups and sort == "relevance":
                sort = "newest"  # nothing to rank by: show the latest first
            half_life = generation.settings.half_life_days
            if half_life and sort == "relevance":
                ranked = ranked * recency_factors(table.dates, NO_DATE, half_life)[matched]
            docnums, scores = _page(table, matched[allowed], ranked[allowed], sort, page, per_page)
            terms = terms_for(expanded, _forms_of(postings, fields))
            hits = []
            for docnum, score in zip(docnums, scores, strict=True):
                if deadline.passed() and "snippets" not in skipped:
                    skipped.append("snippets")
                plain = "snippets" in skipped
                stored = scorer.stored.get(docnum) or searcher.stored_fields(docnum)
                hits.append(_hit(stored, score, terms, request, fields, plain))
            suggestion = None
            if total < FEW_RESULTS and parsed.groups and not typos:
                if deadline.passed():
                    skipped.append("suggestion")
                else:
                    suggestion = generation.vocabulary.did_you_mean(parsed, searcher)
            rebuild = _rebuild_notices(generation)
            whole = not skipped and not deadline.passed()  # nothing was cut short
        result = SearchResult(
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
            notices=parsed.notices
            + [typo_tolerated(typo.typed, typo.added) for typo in typos]
            + evaluation.notices
            + _skipped_notices(skipped)
            + rebuild,
            sort=sort,
            filters=selections,
            labels=fields.labels(),
            typos=typos,
        )
        if whole and generation is self._generation:  # never refill with a retired one's
            self._answers.put(key, result)
        return result

    def read_postings(self, field_name: str, term: str) -> int:
        """Read `term`'s postings in `field_name` through Whoosh itself, not the derived data
        (a health probe); raises what a damaged term list or posting file raises."""
        with self._reading() as (_, searcher):
            return sum(1 for _ in searcher.postings(field_name, term).all_ids())

    def explain(self, text: str) -> list[TokenReport]:
        """`analysis.explain` under the index's own rules (protected words, stems, stop words)."""
        with self._reading():
            return explain(text)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        with self._reading() as (generation, _):
            return generation.vocabulary.complete(prefix, limit)

    def document(self, doc_id: str, q: str = "", typos: bool = True) -> DocumentView | None:
        """One document, its body fully highlighted for the query `q` (if any), with the
        neighbours of its misspelt words as the search found them (unless `typos` is off)."""
        with self._reading() as (generation, searcher):
            docnum = searcher.document_number(id=doc_id)
            if docnum is None:
                return None
            stored = searcher.stored_fields(docnum)
            fields = generation.fields
            query = expand(parse_query(q, fields), generation.settings.synonyms)
            if q and typos:
                postings = generation.postings.reading(searcher)
                scorer = QueryScorer(searcher, generation.facets, postings, fields)
                query, _ = _tolerate(query, scorer, generation, searcher)
            terms = terms_for(query, _forms_of(generation.postings, fields)) if q else MatchTerms()
            return DocumentView(
                id=stored["id"],
                title=highlight_all(stored.get("title") or "", terms),
                body=highlight_all(stored.get("body") or "", terms),
                date=_iso(stored.get("date")),
                facets=hit_facets(stored, fields, FACET_SEPARATOR),
                url=stored.get("url"),
                extra=_extra(stored, fields),
            )

    def related(self, doc_id: str, limit: int = 5) -> list[Hit] | None:
        """Up to `limit` articles like `doc_id` (search/related.py); None if it is not indexed."""
        with self._reading() as (generation, searcher):
            postings = generation.postings.reading(searcher)
            found = related_documents(searcher, postings, doc_id, limit)
            if found is None:
                return None
            stored = [searcher.stored_fields(docnum) for docnum, _ in found]
            fields = generation.fields
        plain = SearchRequest()
        return [
            _hit(s, score, MatchTerms(), plain, fields)
            for s, (_, score) in zip(stored, found, strict=True)
        ]

    def stats(self) -> dict[str, object]:
        """Document count, facet value counts, date range: what `fahras stats` prints."""
        with self._reading() as (generation, searcher):
            table = generation.facets
            everything = np.flatnonzero(table.live)
            dated = table.dates[everything]
            dated = dated[dated != NO_DATE]
            facets = {
                name: {v.value: v.count for v in table.count(name, everything, limit=10**9).values}
                for name in generation.fields.filter_names
                if name != "month"
            }
            return {
                "documents": searcher.doc_count(),
                "generation": generation.number,
                "date_min": _iso(long_to_datetime(int(dated.min()))) if dated.size else None,
                "date_max": _iso(long_to_datetime(int(dated.max()))) if dated.size else None,
                "facets": facets,
                "labels": generation.fields.labels(),
            }


def _tolerate(
    parsed: ParsedQuery, scorer: QueryScorer, generation: _Generation, searcher: Searcher
) -> tuple[ParsedQuery, list[Tolerated]]:
    """search/typos.py with this generation's speller and the search's scorer."""
    return tolerate(
        parsed,
        scorer.matching,
        lambda word: generation.vocabulary.correct(word, searcher),
        lambda word: generation.vocabulary.written(word, searcher),
    )


def _answer_key(generation: int, request: SearchRequest) -> tuple[object, ...]:
    """What an answer depends on: the generation and every field of the request (a new field
    of SearchRequest is part of the key without anyone remembering to add it)."""
    parts: list[object] = [generation]
    for spec in dataclass_fields(request):
        value = getattr(request, spec.name)
        if isinstance(value, Mapping):
            value = tuple(sorted((name, tuple(values)) for name, values in value.items()))
        parts.append(value)
    return tuple(parts)


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
    docnums: np.ndarray,
    scores: np.ndarray,
    sort: str,
    page: int,
    per_page: int,
) -> tuple[list[int], list[float | None]]:
    """Docnums and scores of the requested page: a partial sort of the allowed documents
    (`docnums`, ascending, and their `scores`)."""
    start, end = (page - 1) * per_page, page * per_page
    if sort == "relevance":
        keys = -scores
    elif sort == "newest":
        keys = -table.dates[docnums].astype(np.float64)  # undated (NO_DATE) sort last
    else:
        dates = table.dates[docnums]
        keys = np.where(dates == NO_DATE, np.inf, dates.astype(np.float64))
    chosen_scores = scores
    if end < docnums.size:  # keep the first `end` by (key, docnum), ties at the cut included
        cut = np.partition(keys, end - 1)[end - 1]
        nearest = keys <= cut
        docnums, keys, chosen_scores = docnums[nearest], keys[nearest], scores[nearest]
    order = np.lexsort((docnums, keys))[start:end]  # ties: lower docnum first, on every page
    chosen = docnums[order].tolist()
    if sort != "relevance":
        return chosen, [None] * len(chosen)
    return chosen, [round(float(score), 4) for score in chosen_scores[order].tolist()]


def _facet_counts(
    table: FacetTable,
    matched: np.ndarray,
    masks: dict[str, np.ndarray],
    selections: dict[str, list[str]],
    request: SearchRequest,
    deadline: Deadline,
    skipped: list[str],
    fields: FieldRegistry,
) -> dict[str, FacetCounts]:
    """Every facet counted disjunctively over the `matched` docnums (each facet's own
    selection left out: `masks` are over `matched`); none (and `skipped` says so) past the
    deadline."""
    if deadline.passed():
        skipped.append("facets")
        return {name: FacetCounts(name, [], truncated=False) for name in fields.filter_names}
    everything = np.ones(matched.size, dtype=bool)
    return {
        name: table.count(
            name,
            matched[combine(everything, masks, skip=name)] if masks else matched,
            selections.get(name, ()),
            fields.get(name).limit or request.facet_limit,  # type: ignore[union-attr]
        )
        for name in fields.filter_names
    }


def _forms_of(postings: Postings, fields: FieldRegistry) -> Callable[[str], list[str]]:
    """A stem's indexed forms in the index's text fields, for highlighting without stemming."""
    return lambda stem: postings.indexed_forms(stem, fields.text_names)


def _skipped_notices(skipped: list[str]) -> list[Notice]:
    """One notice naming what the deadline left out, if anything."""
    return [budget_spent(", ".join(skipped))] if skipped else []


def _hit(
    stored: dict[str, object],
    score: float | None,
    terms: MatchTerms,
    request: SearchRequest,
    fields: FieldRegistry,
    plain: bool = False,
) -> Hit:
    """A result; `plain`: past the deadline, the body's opening instead of matched windows."""
    body = str(stored.get("body") or "")
    title = marked_all(str(stored.get("title") or ""), terms)
    if plain:
        excerpt = marked_snippet(body, MatchTerms(), 1, request.fragment_size)
    else:
        excerpt = marked_snippet(body, terms, request.fragments, request.fragment_size)
    return Hit(
        id=str(stored["id"]),
        title=title.html(),
        snippet=excerpt.html(),
        score=score,
        date=_iso(stored.get("date")),
        facets=hit_facets(stored, fields, FACET_SEPARATOR),
        url=str(stored["url"]) if stored.get("url") else None,
        title_text=title.text,
        title_spans=title.spans,
        snippet_text=excerpt.text,
        snippet_spans=excerpt.spans,
    )


def _extra(stored: dict[str, object], fields: FieldRegistry) -> dict[str, object]:
    """The document's own text fields (a summary…) and its other stored keys."""
    own = [f.name for f in fields.of_kind(Kind.TEXT) if not f.builtin and stored.get(f.name)]
    return {name: stored[name] for name in own} | (stored.get("extra") or {})  # type: ignore


def _rebuild_notices(generation: _Generation) -> list[Notice]:
    return [rebuild_needed(generation.rebuild)] if generation.rebuild else []


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None
