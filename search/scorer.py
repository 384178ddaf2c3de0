"""Evaluate a parsed query over the whole index with arrays: which documents match, and scores.

A word contributes BM25F over its views (stem, exact form and broken plurals, in title and
body), an OR-group sums its alternatives, and the groups combine: documents with more of the
words rank higher, short queries put those with every word first, and the top documents are
re-ranked by their best passage (search/ranking.py holds the model and its weights).
Phrases are matched by Whoosh on positions and scored like their words. Everything else is
NumPy over cached postings, so a word in every document costs about as much as a rare one.
"""

import dataclasses
from dataclasses import dataclass
from itertools import islice

import numpy as np
from whoosh.searching import Searcher

from search import budget
from search.analysis import TokenReport
from search.budget import CostPlan, Deadline, plan_cost
from search.facets import FacetTable
from search.fields import BUILTIN, FieldRegistry
from search.normalize import normalize
from search.notices import Notice, phrase_capped, phrase_timeout, prefix_capped, search_timeout
from search.postings import Postings
from search.proximity import QueryWord, WordFinder, best_window
from search.query import Clause, ParsedQuery
from search.ranking import (
    EXACT_WEIGHT,
    MAX_PREFIX_TERMS,
    PASSAGE_WINDOW,
    PLURAL_WEIGHT,
    PROXIMITY_WEIGHT,
    RERANK_DEPTH,
    TITLE_BOOST,
    TITLE_WEIGHT,
    bm25f,
    content_groups,
    coordination,
    idf,
    requires_all_words,
)


@dataclass(slots=True)
class Evaluation:
    mask: np.ndarray  # bool per docnum: the document matches
    scores: np.ndarray  # float per docnum (0 where it does not match)
    partial: bool  # no document had every word: these match some of them
    notices: list[str] = dataclasses.field(
        default_factory=list
    )  # limits that cut this search short


class _Scored:
    """A set of documents with scores, as dense arrays over docnums."""

    __slots__ = ("mask", "scores")

    def __init__(self, size: int) -> None:
        self.mask = np.zeros(size, dtype=bool)
        self.scores = np.zeros(size, dtype=np.float32)

    def add(self, docnums: np.ndarray, weights: np.ndarray, boost: float) -> None:
        self.mask[docnums] = True
        self.scores[docnums] += weights * boost

    def union(self, other: "_Scored") -> None:
        self.mask |= other.mask
        self.scores += other.scores


class QueryScorer:
    """Scores one search: made per request (its deadline and notices are that search's own),
    over postings read through a searcher no other thread uses meanwhile."""

    def __init__(
        self,
        searcher: Searcher,
        table: FacetTable,
        postings: Postings,
        fields: FieldRegistry = BUILTIN,
    ) -> None:
        # A text field added to the settings after the index was built is not searched yet.
        self.text_fields = tuple(name for name in fields.text_names if name in searcher.schema)
        self.weights = fields.weights()
        self.searcher = searcher
        self.table = table
        self.postings = postings

    def evaluate(self, parsed: ParsedQuery, deadline: Deadline | None = None) -> Evaluation:
        """Match and score `parsed`, within its cost plan and matching's share of `deadline`."""
        whole = deadline or Deadline.after(budget.REQUEST_BUDGET)
        self._deadline = whole.sooner(budget.REQUEST_BUDGET * budget.MATCH_SHARE)
        self._plan: CostPlan = plan_cost(parsed, MAX_PREFIX_TERMS)
        self._notices: list[Notice] = []
        evaluation = self._evaluate(parsed)
        evaluation.notices = self._notices
        return evaluation

    def _evaluate(self, parsed: ParsedQuery) -> Evaluation:
        size = self.postings.size
        required = self.table.live.copy()
        for name, values in parsed.filters.items():
            required &= self.table.normalized_mask(name, values)
        if parsed.date_from or parsed.date_to:
            required &= self.table.date_mask(parsed.date_from, parsed.date_to)
        for clause in parsed.excluded:
            required &= ~self._clause(clause).mask
        if not parsed.groups:
            return Evaluation(required, np.zeros(size, dtype=np.float32), partial=False)
        scored = [self._group(group) for group in content_groups(parsed.groups)]
        groups = [group for group in scored if group.mask.any()] or scored[:1]
        missing = len(groups) < len(scored)  # a word (or junk: `\n` typed) found nowhere
        every = required.copy()
        for group in groups:
            every &= group.mask
        total = np.zeros(size, dtype=np.float32)
        matched = np.zeros(size, dtype=np.float32)
        for group in groups:
            total += group.scores
            matched += group.mask
        if len(groups) == 1:
            return Evaluation(every, np.where(every, total, 0).astype(np.float32), missing)
        some = required & (matched > 0)
        scores = np.where(some, total * coordination(matched, len(groups)), 0).astype(np.float32)
        if requires_all_words(len(groups)) and every.any():
            # documents with every word first, then the others (never only the former)
            scores[every] += scores[some & ~every].max(initial=0.0)
        self._near(parsed, scores)
        return Evaluation(some, scores, partial=missing or (bool(some.any()) and not every.any()))

    def _near(self, parsed: ParsedQuery, scores: np.ndarray) -> None:
        """Raise the first RERANK_DEPTH documents by their best passage (search/proximity.py)."""
        words = self._query_words(parsed)
        if len(words) < 2 or not PROXIMITY_WEIGHT:
            return
        find = WordFinder(words)
        top = np.flatnonzero(scores)
        if top.size > RERANK_DEPTH:
            top = top[np.argpartition(-scores[top], RERANK_DEPTH)[:RERANK_DEPTH]]
        for docnum in top.tolist():
            if self._deadline.passed():
                return  # a ranking without proximity is still a ranking
            stored = self.searcher.stored_fields(docnum)
            text = f"{stored.get('title') or ''}\n{stored.get('body') or ''}"
            scores[docnum] += PROXIMITY_WEIGHT * best_window(text, find, PASSAGE_WINDOW)

    def _query_words(self, parsed: ParsedQuery) -> list[QueryWord]:
        """The content words of a query, each with the terms that stand for it and its IDF."""
        words = []
        for group in content_groups(parsed.groups):
            for clause in group:
                if clause.kind != "word":
                    continue
                for word in clause.words:
                    if word.stopword:
                        continue
                    weight = idf(self.matching(word), self.postings.live_count)
                    words.append(QueryWord(word.stems, word.normalized, weight))
        return words

    def matching(self, word: TokenReport, field: str | None = None) -> int:
        """How many documents one analysed word matches (in `field` only, if given)."""
        fields = tuple(f for f in self.text_fields if field in (None, f))
        return int(self._word(word, fields).mask.sum())

    def _group(self, group: list[Clause]) -> _Scored:
        result = _Scored(self.postings.size)
        for clause in group:
            scored = self._clause(clause)
            if clause.boost != 1.0:  # a synonym: found, but ranked below the typed words
                scored.scores *= np.float32(clause.boost)
            result.union(scored)
        return result

    def _out_of_time(self) -> bool:
        """True (and the reader told so) once matching has used its share of the budget."""
        if not self._deadline.passed():
            return False
        self._notice(search_timeout())
        return True

    def _clause(self, clause: Clause) -> _Scored:
        if self._out_of_time():  # e.g. 24 prefixes on a fragmented index
            return _Scored(self.postings.size)
        fields = tuple(f for f in self.text_fields if clause.field in (None, f))
        match clause.kind:
            case "prefix":
                return self._prefix(normalize(clause.text), fields)
            case "phrase":
                return self._phrase([word.normalized for word in clause.words], fields)
            case "exact":
                return self._all([self._exact(word.normalized, fields) for word in clause.words])
        words = [self._word(word, fields) for word in clause.words]
        # junk glued to a word (a literal \n typed: طول\nالنهر) matches nothing: leave it out
        return self._all([word for word in words if word.mask.any()] or words)

    def _word(self, word: TokenReport, fields: tuple[str, ...]) -> _Scored:
        normalized, stemmed, plurals = word.normalized, word.stem, word.plurals
        postings = self.postings
        views = []
        lengths = np.zeros(postings.size, dtype=np.float32)
        average = 0.0
        for field in fields:
            weight = (TITLE_WEIGHT if field == "title" else 1.0) * self.weights[field]
            lengths += postings.lengths(field) * np.float32(weight)
            average += postings.average_length(field) * weight
            if stemmed is not None:
                views.append((*postings.stem_frequencies(field, stemmed), weight))
            for other in plurals:
                views.append((*postings.stem_frequencies(field, other), weight * PLURAL_WEIGHT))
            if normalized:
                views.append((*postings.frequencies(field, normalized), weight * EXACT_WEIGHT))
        result = _Scored(postings.size)
        result.mask, result.scores = bm25f(views, lengths, average, postings.live_count)
        return result

    def _exact(self, normalized: str, fields: tuple[str, ...]) -> _Scored:
        result = _Scored(self.postings.size)
        for field in fields:
            boost = (TITLE_BOOST if field == "title" else 1.0) * self.weights[field]
            result.add(*self.postings.bm25(field, normalized), boost)
        return result

    def _prefix(self, prefix: str, fields: tuple[str, ...]) -> _Scored:
        """The most frequent of the prefix's first completions, so `ال*` stays cheap: how many
        completions are looked at and kept is the query's cost plan, shared by its prefixes."""
        reader = self.searcher.reader()
        scan, keep = self._plan.prefix_scan, self._plan.prefix_terms
        counts: dict[str, int] = {}
        for field in fields:
            expansions = list(islice(reader.expand_prefix(field, prefix), scan + 1))
            if len(expansions) > scan:
                expansions.pop()
                self._notice(prefix_capped(prefix, scan))
            for checked, raw in enumerate(expansions):
                # Each doc_frequency is a term lookup: thousands of them are where the time goes.
                if checked % 64 == 63 and self._out_of_time():
                    break
                word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                counts[word] = counts.get(word, 0) + reader.doc_frequency(field, word)
        best = sorted(counts, key=lambda w: (-counts[w], w))[:keep]
        if keep < MAX_PREFIX_TERMS and len(counts) > keep:  # the plan kept fewer than usual
            self._notice(prefix_capped(prefix, keep))
        result = _Scored(self.postings.size)
        for word in best:
            result.union(self._exact(word, fields))
        return result

    def _phrase(self, words: list[str], fields: tuple[str, ...]) -> _Scored:
        """Documents with the normalized `words` in this order: in each field, the documents
        that have all the words there are checked position by position, as many as the cost
        plan allows (common words: the first ones) and until the search's time is up."""
        scored = self._all([self._exact(w, fields) for w in words])
        in_order = np.zeros(self.postings.size, dtype=bool)
        for name in fields:
            candidates = np.flatnonzero(self._all([self._exact(w, (name,)) for w in words]).mask)
            if candidates.size > self._plan.phrase_checks:
                candidates = candidates[: self._plan.phrase_checks]
                self._notice(phrase_capped(self._plan.phrase_checks))
            found, complete = self.postings.phrase_docs(name, words, candidates, self._deadline.at)
            in_order[found] = True
            if not complete:
                self._notice(phrase_timeout())
        scored.mask &= in_order
        scored.scores = np.where(scored.mask, scored.scores, 0).astype(np.float32)
        return scored

    def _notice(self, notice: Notice) -> None:
        if notice not in self._notices:
            self._notices.append(notice)

    def _all(self, parts: list[_Scored]) -> _Scored:
        """Documents matching every part, scored by the sum of the parts."""
        if not parts:
            return _Scored(self.postings.size)
        result = parts[0]
        for part in parts[1:]:
            result.mask &= part.mask
            result.scores += part.scores
        result.scores = np.where(result.mask, result.scores, 0).astype(np.float32)
        return result
