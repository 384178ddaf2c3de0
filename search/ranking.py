"""Turn a parsed query into Whoosh queries and a scoring model.

Each word becomes an OR over four fields: its stem in the stemmed title and body (recall) and its
normalized form in the exact title and body. A document that has the very form typed collects
both scores, so exact matches rank above stem-only ones; titles weigh more than bodies.
"""

from dataclasses import dataclass

from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher

from search.analysis import terms_of
from search.highlight import MatchTerms
from search.normalize import normalize
from search.query import Clause, ParsedQuery
from search.tokenize import iter_tokens

TITLE_BOOST = 2.0
EXACT_BOOST = 0.5  # added on top of the stem score when the typed form itself occurs
MAX_PREFIX_TERMS = 50
COORDINATION = 1.0  # "some words" mode: the bonus for matching more of the words


def scorer() -> scoring.WeightingModel:
    return scoring.BM25F(B=0.75, K1=1.2)


@dataclass(frozen=True, slots=True)
class BuiltQuery:
    """The Whoosh query for a parsed query, in both matching modes."""

    all_words: wq.Query  # every group must match
    some_words: wq.Query | None  # at least one group (None when there is one group or fewer)
    terms: MatchTerms  # what to highlight


def build(parsed: ParsedQuery, searcher: Searcher) -> BuiltQuery:
    groups = [wq.Or([_clause_query(c, searcher) for c in group]) for group in parsed.groups]
    groups = [_single(g) for g in groups]
    excluded = [_clause_query(c, searcher) for c in parsed.excluded]
    filters = [
        wq.Term(name, normalize(value))
        for name, values in parsed.filters.items()
        for value in values
    ]
    # Filters on fields named in the query text: one value per field is required.
    required = [
        _single(wq.Or([f for f in filters if f.fieldname == name])) for name in parsed.filters
    ]
    if parsed.date_from or parsed.date_to:
        required.append(wq.DateRange("date", parsed.date_from, parsed.date_to))
    positive = groups + required
    all_words = wq.And(positive) if positive else wq.Every()
    some_words = None
    if len(groups) > 1:
        some_words = wq.Or(groups, scale=COORDINATION)
        if required:
            some_words = wq.And([some_words, *required])
    if excluded:
        all_words = wq.AndNot(all_words, wq.Or(excluded))
        if some_words is not None:
            some_words = wq.AndNot(some_words, wq.Or(excluded))
    return BuiltQuery(all_words, some_words, match_terms(parsed))


def _single(query: wq.Or) -> wq.Query:
    return query.subqueries[0] if len(query.subqueries) == 1 else query


def _fields(clause: Clause) -> tuple[str, ...]:
    return ("title",) if clause.field == "title" else ("title", "body")


def _boost(field: str) -> float:
    return TITLE_BOOST if field == "title" else 1.0


def _clause_query(clause: Clause, searcher: Searcher) -> wq.Query:
    fields = _fields(clause)
    words = [normalize(token) for token, _, _ in iter_tokens(clause.text)]
    words = [w for w in words if w]
    if not words:
        return wq.NullQuery()
    match clause.kind:
        case "phrase":
            return wq.Or([wq.Phrase(f + "_exact", words, boost=_boost(f)) for f in fields])
        case "exact":
            return _all(
                [wq.Or([wq.Term(f + "_exact", w, boost=_boost(f)) for f in fields]) for w in words]
            )
        case "prefix":
            return _prefix_query(words[-1], fields, searcher)
    return _all([_word_query(token, fields) for token, _, _ in iter_tokens(clause.text)])


def _word_query(surface: str, fields: tuple[str, ...]) -> wq.Query:
    normalized, stemmed = terms_of(surface)
    parts: list[wq.Query] = []
    for field in fields:
        if stemmed is not None:
            parts.append(wq.Term(field, stemmed, boost=_boost(field)))
        parts.append(wq.Term(field + "_exact", normalized, boost=_boost(field) * EXACT_BOOST))
    return wq.Or(parts)


def _prefix_query(prefix: str, fields: tuple[str, ...], searcher: Searcher) -> wq.Query:
    """The prefix's most frequent completions (capped), so `ا*` cannot expand to everything."""
    reader = searcher.reader()
    candidates: dict[str, int] = {}
    for field in fields:
        for term in reader.expand_prefix(field + "_exact", prefix):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            candidates[word] = candidates.get(word, 0) + reader.doc_frequency(
                field + "_exact", word
            )
    best = sorted(candidates, key=lambda w: (-candidates[w], w))[:MAX_PREFIX_TERMS]
    if not best:
        return wq.NullQuery()
    return wq.Or([wq.Term(f + "_exact", w, boost=_boost(f)) for f in fields for w in best])


def _all(parts: list[wq.Query]) -> wq.Query:
    return parts[0] if len(parts) == 1 else wq.And(parts)


def match_terms(parsed: ParsedQuery) -> MatchTerms:
    """The stems, exact forms and prefixes to highlight for this query."""
    stems: set[str] = set()
    exact: set[str] = set()
    prefixes: list[str] = []
    for group in parsed.groups:
        for clause in group:
            for token, _, _ in iter_tokens(clause.text):
                normalized, stemmed = terms_of(token)
                if clause.kind == "word":
                    if stemmed:
                        stems.add(stemmed)
                    exact.add(normalized)
                elif clause.kind == "prefix":
                    prefixes.append(normalized)
                else:
                    exact.add(normalized)
    return MatchTerms(frozenset(stems), frozenset(exact), tuple(prefixes))
