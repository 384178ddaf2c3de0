"""Evaluate a parsed query with arrays: which documents match (ascending docnums), and scores.

A word contributes BM25F over its views (stem, exact form and broken plurals, in title and
body), an OR-group sums its alternatives, and the groups combine: documents with more of the
words rank higher, short queries put those with every word first, and the top documents are
re-ranked by their best passage (search/ranking.py holds the model and its weights).
Phrases are matched by Whoosh on positions and scored like their words. Everything else is
NumPy over cached postings, as sorted docnum arrays with their scores (search/docsets.py): a
query costs what its words' postings hold, so a rare word stays cheap in a large archive. A
word is scored once per search, however often the query, its phrases and the proximity
re-ranking ask for it.
"""

import dataclasses
from dataclasses import dataclass
from itertools import islice

import numpy as np
from whoosh.searching import Searcher

from search import budget
from search.analysis import TokenReport
from search.budget import CostPlan, Deadline, plan_cost
from search.docsets import (
    EMPTY_DOCS,
    EMPTY_VALUES,
    Part,
    contains,
    intersection,
    merged,
    union,
    without,
)
from search.facets import FacetTable
from search.fields import BUILTIN, FieldRegistry
from search.normalize import normalize
from search.notices import Notice, phrase_capped, phrase_timeout, prefix_capped, search_timeout
from search.postings import Postings
from search.proximity import QueryWord, WordFinder, passage_weight
from search.query import Clause, ParsedQuery
from search.ranking import (
    ADJACENCY_WEIGHT,
    DERIVED_WEIGHT,
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

PASSAGE_FIELDS = ("title", "body")  # the text a document's best passage is looked for in


@dataclass(slots=True)
class Evaluation:
    docnums: np.ndarray  # ascending docnums of the matching documents
    scores: np.ndarray  # float32, one per docnum of `docnums`
    partial: bool  # no document had every word: these match some of them
    notices: list[str] = dataclasses.field(
        default_factory=list
    )  # limits that cut this search short


class _Scored:
    """A set of documents with scores: ascending docnums and one float32 score each. Never
    changed once made: a word's is shared by every clause of the search that asks for it."""

    __slots__ = ("docnums", "scores")

    def __init__(self, docnums: np.ndarray = EMPTY_DOCS, scores: np.ndarray = EMPTY_VALUES):
        self.docnums = docnums
        self.scores = scores

    def any(self) -> bool:
        return bool(self.docnums.size)

    def part(self, boost: float = 1.0) -> Part:
        if boost == 1.0:
            return self.docnums, self.scores
        return self.docnums, self.scores * np.float32(boost)

    def only(self, keep: np.ndarray) -> "_Scored":
        return _Scored(self.docnums[keep], self.scores[keep])


def _union(parts: list[Part]) -> _Scored:
    """Documents matching any part, scored by the sum of the parts."""
    docnums, scores, _ = union(parts)
    return _Scored(docnums, scores)


def _all(parts: list[_Scored]) -> _Scored:
    """Documents matching every part, scored by the sum of the parts."""
    return _Scored(*intersection([part.part() for part in parts])) if parts else _Scored()


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
        # each word's BM25F, kept for the whole search: typo tolerance and proximity ask again
        self._words: dict[tuple, _Scored] = {}
        # the stored fields the proximity re-ranking read, by docnum: the page's hits are
        # among them
        self.stored: dict[int, dict] = {}

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
        excluded = union([self._clause(clause).part() for clause in parsed.excluded])[0]
        table = self.table

        def kept(docnums: np.ndarray) -> np.ndarray:
            """Which `docnums` the query's filters, dates and excluded words allow."""
            keep = table.live[docnums] & without(docnums, excluded)
            for name, values in parsed.filters.items():
                keep &= table.normalized_mask(name, values, docnums)
            if parsed.date_from or parsed.date_to:
                keep &= table.date_mask(parsed.date_from, parsed.date_to, docnums)
            return keep

        if not parsed.groups:
            everything = np.flatnonzero(table.live)
            everything = everything[kept(everything)]
            return Evaluation(everything, np.zeros(everything.size, np.float32), partial=False)
        scored = [self._group(group) for group in content_groups(parsed.groups)]
        groups = [group for group in scored if group.any()] or scored[:1]
        missing = len(groups) < len(scored)  # a word (or junk: `\n` typed) found nowhere
        if len(groups) == 1:
            only = groups[0].only(kept(groups[0].docnums))
            return Evaluation(only.docnums, only.scores, missing)
        docnums, total, counts = union([group.part() for group in groups])
        keep = kept(docnums)
        docnums, total, matched = docnums[keep], total[keep], counts[keep].astype(np.float32)
        scores = (total * coordination(matched, len(groups))).astype(np.float32)
        every = matched == len(groups)
        if requires_all_words(len(groups)) and every.any():
            # documents with every word first, then the others (never only the former)
            scores[every] += scores[~every].max(initial=0.0)
        self._near(parsed, docnums, scores)
        partial = missing or (bool(docnums.size) and not every.any())
        return Evaluation(docnums, scores, partial)

    def _near(self, parsed: ParsedQuery, docnums: np.ndarray, scores: np.ndarray) -> None:
        """Raise the first RERANK_DEPTH documents by their best passage (search/proximity.py)."""
        words = self._query_words(parsed)
        if len(words) < 2 or not PROXIMITY_WEIGHT:
            return
        find = WordFinder(words, lambda stem: self.postings.indexed_forms(stem, PASSAGE_FIELDS))
        top = np.flatnonzero(scores)
        if top.size > RERANK_DEPTH:
            top = top[np.argpartition(-scores[top], RERANK_DEPTH)[:RERANK_DEPTH]]
        for position in top.tolist():
            if self._deadline.passed():
                return  # a ranking without proximity is still a ranking
            docnum = int(docnums[position])
            stored = self.stored[docnum] = self.searcher.stored_fields(docnum)
            text = "\n".join(str(stored.get(field) or "") for field in PASSAGE_FIELDS)
            near = passage_weight(text, find, PASSAGE_WINDOW, ADJACENCY_WEIGHT)
            scores[position] += PROXIMITY_WEIGHT * near

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
        return int(self._word(word, fields).docnums.size)

    def _group(self, group: list[Clause]) -> _Scored:
        # a synonym (boost below 1): found, but ranked below the typed words
        return _union([self._clause(clause).part(clause.boost) for clause in group])

    def _out_of_time(self) -> bool:
        """True (and the reader told so) once matching has used its share of the budget."""
        if not self._deadline.passed():
            return False
        self._notice(search_timeout())
        return True

    def _clause(self, clause: Clause) -> _Scored:
        if self._out_of_time():  # e.g. 24 prefixes on a fragmented index
            return _Scored()
        fields = tuple(f for f in self.text_fields if clause.field in (None, f))
        match clause.kind:
            case "prefix":
                return self._prefix(normalize(clause.text), fields)
            case "phrase":
                return self._phrase([word.normalized for word in clause.words], fields)
            case "exact":
                return _all([self._exact(word.normalized, fields) for word in clause.words])
        words = [self._word(word, fields) for word in clause.words]
        # junk glued to a word (a literal \n typed: طول\nالنهر) matches nothing: leave it out
        return _all([word for word in words if word.any()] or words)

    def _word(self, word: TokenReport, fields: tuple[str, ...]) -> _Scored:
        """BM25F of one word over `fields`, computed once per search (the proximity re-ranking
        and typo tolerance ask again for how many documents a word matches)."""
        key = (word.normalized, word.stem, word.plurals, word.derived, fields)
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = self._score_word(word, fields)
        return found

    def _score_word(self, word: TokenReport, fields: tuple[str, ...]) -> _Scored:
        normalized, stemmed, plurals = word.normalized, word.stem, word.plurals
        postings = self.postings
        views = []
        weighed: list[tuple[np.ndarray, np.float32]] = []
        average = 0.0
        for field in fields:
            weight = (TITLE_WEIGHT if field == "title" else 1.0) * self.weights[field]
            weighed.append((postings.lengths(field), np.float32(weight)))
            average += postings.average_length(field) * weight
            if stemmed is not None:
                views.append((*postings.stem_frequencies(field, stemmed), weight))
            for other in plurals:
                views.append((*postings.stem_frequencies(field, other), weight * PLURAL_WEIGHT))
            for other in word.derived:
                views.append((*postings.stem_frequencies(field, other), weight * DERIVED_WEIGHT))
            if normalized:
                views.append((*postings.frequencies(field, normalized), weight * EXACT_WEIGHT))

        def lengths(docnums: np.ndarray) -> np.ndarray:
            """The documents' lengths, each field's weighted as its occurrences are."""
            total = np.zeros(docnums.size, dtype=np.float32)
            for field_lengths, weight in weighed:
                total += field_lengths[docnums] * weight
            return total

        return _Scored(*bm25f(views, lengths, average, postings.live_count))

    def _exact(self, normalized: str, fields: tuple[str, ...]) -> _Scored:
        parts = []
        for field in fields:
            boost = (TITLE_BOOST if field == "title" else 1.0) * self.weights[field]
            docnums, weights = self.postings.bm25(field, normalized)
            parts.append((docnums, weights * boost))
        return _union(parts)

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
        return _union([self._exact(word, fields).part() for word in best])

    def _phrase(self, words: list[str], fields: tuple[str, ...]) -> _Scored:
        """Documents with the normalized `words` in this order: in each field, the documents
        that have all the words there are checked position by position, as many as the cost
        plan allows (common words: the first ones) and until the search's time is up."""
        scored = _all([self._exact(w, fields) for w in words])
        in_order = []
        for name in fields:
            candidates = _all([self._exact(w, (name,)) for w in words]).docnums
            if candidates.size > self._plan.phrase_checks:
                candidates = candidates[: self._plan.phrase_checks]
                self._notice(phrase_capped(self._plan.phrase_checks))
            found, complete = self.postings.phrase_docs(name, words, candidates, self._deadline.at)
            in_order.append(np.asarray(found, dtype=np.int64))
            if not complete:
                self._notice(phrase_timeout())
        found_anywhere = merged(np.concatenate(in_order)) if in_order else EMPTY_DOCS
        return scored.only(contains(found_anywhere, scored.docnums))

    def _notice(self, notice: Notice) -> None:
        if notice not in self._notices:
            self._notices.append(notice)
