"""Posting lists as NumPy arrays, with their BM25 weights, cached per index generation.

Whoosh scores and unions postings one document at a time in Python: a word in most of the
archive costs half a second. Read instead block by block into arrays (a few milliseconds, once
per generation), a term's BM25 contribution for every document that has it is one vectorized
expression, and a whole query is a handful of array additions.

This reads Whoosh's W3 codec below its public API (`_terms.matcher` and the block arrays): the
whoosh3 pin is exact for this reason, and tests/test_engine.py checks the scores and matches.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import IndexReader, TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from search.analysis import stem_of
from search.ranking import K1, B, idf

CACHE_POSTINGS = 4_000_000

_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
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


class Scans:
    """A reader of its own, with a lock, for scans of whole term lists and columns.

    These run in a warm-up thread while searches use the searcher's reader, and Whoosh readers
    share file positions, so the two must never be the same object.
    """

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.lock = threading.Lock()
        self._terms: dict[str, list[str]] = {}

    def terms(self, field: str) -> list[str]:
        """Every term of `field`, read once: the stem forms and the speller share the strings."""
        with self.lock:
            found = self._terms.get(field)
            if found is None:
                terms = self.reader.lexicon(field)
                found = [t.decode("utf-8") if isinstance(t, bytes) else t for t in terms]
                self._terms[field] = found
            return found

    def column(self, name: str) -> list[bytes]:
        """Every live document's value in column `name` (b"" where it has none)."""
        with self.lock:
            if not self.reader.has_column(name):
                return []
            column = self.reader.column_reader(name, translate=False)
            return [column[docnum] for docnum in self.reader.all_doc_ids()]

    def close(self) -> None:
        with self.lock:
            self.reader.close()


class Postings:
    """Term postings and field lengths of one searcher, as arrays over global docnums."""

    def __init__(self, searcher: Searcher, live: np.ndarray, scans: Scans) -> None:
        self.searcher = searcher
        self.scans = scans
        self.live = live
        self.size = len(live)
        self.live_count = int(live.sum())
        self._leaves = searcher.leaf_searchers()
        self._lengths: dict[str, np.ndarray] = {}
        self._averages: dict[str, float] = {}
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()
        self._forms: dict[str, dict[str, list[str]]] = {}
        self._forms_lock = threading.Lock()

    def bm25(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25 weight) of every live document containing `term` in `field`."""
        key = (field, term)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
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
        return self._remember(key, docnums, weights)

    def _remember(
        self, key: tuple[str, str], docnums: np.ndarray, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            self._cache[key] = (docnums, values)
            self._cached += docnums.size
            while self._cached > CACHE_POSTINGS and len(self._cache) > 1:
                _, (old, _) = self._cache.popitem(last=False)
                self._cached -= old.size
        return docnums, values

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
            parts = [self._read(field, form) for form in self.stem_forms(field).get(stemmed, ())]
            if not parts:
                return _EMPTY
            docnums, inverse = np.unique(np.concatenate([d for d, _ in parts]), return_inverse=True)
            counts = np.bincount(inverse, weights=np.concatenate([f for _, f in parts]))
            return docnums, counts.astype(np.float32)

        return self._counts((field, "\x00" + stemmed), merged)

    def _counts(
        self, key: tuple[str, str], read: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Live (docnums, frequencies) remembered under `key`, read on first use."""
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        docnums, frequencies = read()
        keep = self.live[docnums]
        return self._remember(key, docnums[keep], frequencies[keep])

    def stem_forms(self, field: str) -> dict[str, list[str]]:
        """Stem -> the indexed forms of `field` that have it (built once per generation)."""
        with self._forms_lock:
            forms = self._forms.get(field)
            if forms is None:
                forms = {}
                for term in self.scans.terms(field):
                    stemmed = stem_of(term)
                    if stemmed is not None:
                        forms.setdefault(stemmed, []).append(term)
                self._forms[field] = forms
            return forms

    def _read(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        ids: list[np.ndarray] = []
        frequencies: list[np.ndarray] = []
        for leaf, offset in self._leaves:
            reader = leaf.reader()
            if field not in reader.schema:
                continue
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
        """Every document's length in `field` (Whoosh keeps it as one byte per document)."""
        with self._lock:
            found = self._lengths.get(field)
        if found is not None:
            return found
        lengths = np.zeros(self.size, dtype=np.float32)
        for leaf, offset in self._leaves:
            per_doc = leaf.reader()._perdoc
            column = per_doc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            if column is not None:
                raw = np.fromiter(column, dtype=np.uint8, count=len(column))
                lengths[offset : offset + raw.size] = _BYTE_LENGTHS[raw]
        with self._lock:
            self._lengths[field] = lengths
        return lengths

    def average_length(self, field: str) -> float:
        with self._lock:
            found = self._averages.get(field)
        if found is None:
            lengths = self.lengths(field)[self.live]
            found = float(lengths.mean()) if lengths.size and lengths.mean() > 0 else 1.0
            with self._lock:
                self._averages[field] = found
        return found
