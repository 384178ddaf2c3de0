"""Posting lists as NumPy arrays, with their BM25 weights, cached per index generation.

Whoosh scores and unions postings one document at a time in Python: a word in most of the
archive costs half a second. Read instead block by block into arrays (a few milliseconds, once
per generation), a term's BM25 contribution for every document that has it is one vectorized
expression, and a whole query is a handful of array additions.

This reads Whoosh's W3 codec below its public API (`_terms.matcher` and the block arrays): the
whoosh3 pin is exact for this reason, and tests/test_engine.py checks the scores and matches.
"""

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher

from search.derived import GenerationData
from search.docsets import union
from search.ranking import K1, B, idf

CACHE_POSTINGS = 4_000_000

_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def _in_order(
    reader: IndexReader, field: str, words: list[str], docnums: np.ndarray, deadline: float
) -> tuple[list[int], bool]:
    """The docnums (ascending, local to `reader`) where `words` stand one after another."""
    fmt = reader.schema[field].format
    try:
        matchers = [reader._terms.matcher(field, w.encode("utf-8"), fmt) for w in words]
    except (TermNotFound, KeyError):
        return [], True
    found = []
    for checked, docnum in enumerate(docnums.tolist()):
        if checked % 64 == 63 and time.monotonic() > deadline:
            return found, False
        positions = []
        for matcher in matchers:
            if matcher.is_active():
                matcher.skip_to(docnum)
            if not matcher.is_active():
                return found, True
            if matcher.id() != docnum:
                break
            positions.append(set(matcher.value_as("positions")))
        else:
            if any(all(p + i in positions[i] for i in range(1, len(words))) for p in positions[0]):
                found.append(docnum)
    return found, True


class _Cache:
    """Weighed postings by (field, term), least recently used dropped past CACHE_POSTINGS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.postings = 0
        self.averages: dict[str, float] = {}

    def get(self, key: tuple[str, str]) -> tuple[np.ndarray, np.ndarray] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], value: tuple[np.ndarray, np.ndarray]) -> None:
        with self.lock:
            self.entries[key] = value
            self.postings += value[0].size
            while self.postings > CACHE_POSTINGS and len(self.entries) > 1:
                _, (old, _) = self.entries.popitem(last=False)
                self.postings -= old.size


class _StemForms:
    """Stem -> the indexed forms of one field that have it, looked up in the derived tables."""

    def __init__(self, data: GenerationData, field: str) -> None:
        self.data = data
        self.field = field

    def get(self, stemmed: str, default: Sequence[str] = ()) -> Sequence[str]:
        return self.data.stem_forms(self.field, stemmed) or default


class Postings:
    """Term postings and field lengths of one generation, as arrays over global docnums.

    The caches are the generation's, shared by every thread; reading postings goes through a
    searcher, and Whoosh readers share file positions, so each search reads through a view
    bound to a searcher of its own (`reading`).
    """

    def __init__(self, data: GenerationData) -> None:
        self.data = data
        self.live = data.live
        self.size = len(self.live)
        self.live_count = int(self.live.sum())
        self._leaves: list[tuple[Searcher, int]] = []
        self._cache = _Cache()

    def reading(self, searcher: Searcher) -> "Postings":
        """These postings, read through `searcher` (which no other thread uses meanwhile)."""
        view = copy.copy(self)
        view._leaves = searcher.leaf_searchers()
        return view

    def bm25(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25 weight) of every live document containing `term` in `field`."""
        key = (field, term)
        found = self._cache.get(key)
        if found is not None:
            return found
        return self._weigh(key, field, *self._read(field, term))

    def _weigh(
        self, key: tuple[str, str], field: str, docnums: np.ndarray, frequencies: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """BM25 weights of live postings, remembered under `key`."""
        keep = self.live[docnums]
        docnums, frequencies = docnums[keep], frequencies[keep]
        if docnums.size:
            lengths = self.lengths(field)[docnums]
            average = self.average_length(field)
            norm = K1 * (1 - B + B * lengths / average)
            weight = idf(docnums.size, self.live_count)
            weights = (weight * frequencies * (K1 + 1) / (frequencies + norm)).astype(np.float32)
        else:
            weights = frequencies
        self._cache.put(key, (docnums, weights))
        return docnums, weights

    def frequencies(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, term frequency) of every live document containing `term` in `field`.

        Raw counts, for BM25F: a word's frequencies in title and body are weighted and added
        before the one saturation (search/ranking.py).
        """
        return self._counts((field, "\x01" + term), lambda: self._read(field, term))

    def stem_frequencies(self, field: str, stemmed: str) -> tuple[np.ndarray, np.ndarray]:
        """Frequencies of a stem: the postings of all its indexed forms merged, counts summed.

        This is exactly what a stemmed field would hold (كتاب: كتاب، الكتاب، كتابه…), computed
        from the exact view on first use and cached like any term.
        """

        def merged() -> tuple[np.ndarray, np.ndarray]:
            forms = self.stem_forms(field).get(stemmed, ())
            docnums, counts, _ = union([self._read(field, form) for form in forms])
            return docnums, counts  # whole counts: added in float32 exactly

        return self._counts((field, "\x00" + stemmed), merged)

    def _counts(
        self, key: tuple[str, str], read: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Live (docnums, frequencies) remembered under `key`, read on first use."""
        found = self._cache.get(key)
        if found is not None:
            return found
        docnums, frequencies = read()
        keep = self.live[docnums]
        found = (docnums[keep], frequencies[keep])
        self._cache.put(key, found)
        return found

    def stem_forms(self, field: str) -> _StemForms:
        """Stem -> the indexed forms of `field` that have it (derived when a segment is written)."""
        return _StemForms(self.data, field)

    def indexed_forms(self, stemmed: str, fields: Iterable[str]) -> list[str]:
        """The indexed forms with the stem `stemmed` in any of `fields`: a text's words are
        matched to a query's stems through them, without stemming a word of the text."""
        found = (form for field in fields for form in self.data.stem_forms(field, stemmed))
        return list(dict.fromkeys(found))

    def _read(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        ids: list[np.ndarray] = []
        frequencies: list[np.ndarray] = []
        for leaf, offset in self._leaves:
            decoded = self.data.decoded(offset, field, term)
            if decoded is not None:  # a common term: decoded at commit, mapped
                ids.append(decoded[0].astype(np.int64) + offset)
                frequencies.append(decoded[1])
                continue
            reader = leaf.reader()
            if field not in reader.schema or not hasattr(reader, "_terms"):
                continue  # an index with no segment yet has an EmptyReader
            fmt = reader.schema[field].format
            try:
                matcher = reader._terms.matcher(field, term.encode("utf-8"), fmt)
            except (TermNotFound, KeyError):
                continue
            while matcher.is_active():  # one iteration per block of postings
                matcher._read_ids()
                matcher._read_weights()
                ids.append(np.asarray(matcher._ids, dtype=np.int64) + offset)
                frequencies.append(np.asarray(matcher._weights, dtype=np.float32))
                matcher._next_block()
        if not ids:
            return _EMPTY
        return np.concatenate(ids), np.concatenate(frequencies)

    def phrase_docs(
        self, field: str, words: list[str], candidates: np.ndarray, deadline: float
    ) -> tuple[list[int], bool]:
        """Which `candidates` (docnums) hold `words` consecutively in `field`, and whether all
        of them were checked before `deadline` (one forward pass: each block is read once)."""
        found: list[int] = []
        ordered = np.sort(candidates)
        for leaf, offset in self._leaves:
            reader = leaf.reader()
            local = ordered[(ordered >= offset) & (ordered < offset + reader.doc_count_all())]
            if local.size:
                matches, complete = _in_order(reader, field, words, local - offset, deadline)
                found += [d + offset for d in matches]
                if not complete:
                    return found, False
        return found, True

    def lengths(self, field: str) -> np.ndarray:
        """Every document's length in `field`."""
        return self.data.lengths(field)

    def average_length(self, field: str) -> float:
        averages = self._cache.averages
        found = averages.get(field)
        if found is None:
            lengths = self.lengths(field)[self.live]
            found = float(lengths.mean()) if lengths.size and lengths.mean() > 0 else 1.0
            averages[field] = found
        return found
