"""Facet counts and facet filters over arrays read once per index generation.

Counting facets through Whoosh's `groupedby` walks every matching document in Python, which is
too slow when a frequent word matches most of the archive. Instead each facet's (document,
value) pairs are NumPy arrays, derived from the columns when a segment is written
(search/derived.py), sorted by document; a search hands over its matching docnums (ascending),
their pairs are found by bisection (or, for a large share of the archive, with one mask), and
every count is one `bincount`: a search matching 12 documents counts 12 documents' values,
not the archive's. Selections are OR'ed
within a facet and AND'ed across facets; counts are disjunctive: a facet's own selection does not
narrow its own counts, so the reader sees what else they could pick.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from whoosh.util.times import datetime_to_long

from search.derived import NO_DATE, GenerationData
from search.docsets import DENSE_SHARE, contains
from search.fields import BUILTIN, FieldRegistry
from search.normalize import normalize

ALL_FACETS = BUILTIN.filter_names  # the built-in ones; an index's own: its FieldRegistry
_EPOCH = datetime_to_long(datetime(1970, 1, 1))  # Whoosh counts microseconds from year 1


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True, slots=True)
class FacetCounts:
    """One facet's values, most frequent first; `truncated` when more exist than were asked."""

    name: str
    values: list[FacetValue]
    truncated: bool


class _Column:
    """A facet's (document, value id) pairs, sorted by document, and the value of each id."""

    def __init__(self, values: list[str], pair_doc: np.ndarray, pair_value: np.ndarray) -> None:
        if pair_doc.size and np.any(pair_doc[1:] < pair_doc[:-1]):
            order = np.argsort(pair_doc, kind="stable")
            pair_doc, pair_value = pair_doc[order], pair_value[order]
        self.values = values
        self.ids = {value: number for number, value in enumerate(values)}
        self.pair_doc = pair_doc
        self.pair_value = pair_value

    @classmethod
    def from_periods(cls, periods: np.ndarray, present: np.ndarray) -> "_Column":
        """From one datetime64 period per docnum (year or month), for the docnums in `present`."""
        docs = np.flatnonzero(present)
        names, inverse = np.unique(periods[docs], return_inverse=True)
        labels = [str(n) for n in np.datetime_as_string(names)]
        return cls(labels, docs.astype(np.int64), inverse.astype(np.int64))

    def pairs_of(self, docnums: np.ndarray, size: int) -> np.ndarray:
        """Positions of the pairs of `docnums` (ascending, unique), ascending."""
        if docnums.size * DENSE_SHARE > size:  # most of the archive: one pass over the pairs
            wanted = np.zeros(size, dtype=bool)
            wanted[docnums] = True
            return np.flatnonzero(wanted[self.pair_doc])
        starts = np.searchsorted(self.pair_doc, docnums, side="left")
        counts = np.searchsorted(self.pair_doc, docnums, side="right") - starts
        found = counts.nonzero()[0]
        starts, counts = starts[found], counts[found]
        firsts = np.cumsum(counts) - counts  # where each document's pairs start in the result
        return np.repeat(starts - firsts, counts) + np.arange(int(counts.sum()))


class FacetTable:
    """Everything needed to filter and count facets for one index generation."""

    def __init__(self, data: GenerationData, registry: FieldRegistry = BUILTIN) -> None:
        self.size = data.size
        self.live = data.live
        self.columns: dict[str, _Column] = {}
        for name in registry.facet_names:  # one added after a segment was built: no values there
            self.columns[name] = _Column(*data.facet(name))
        self.dates = data.dates
        dated = self.dates != NO_DATE
        moments = np.where(dated, self.dates - _EPOCH, 0).astype("datetime64[us]")
        self.columns["year"] = _Column.from_periods(moments.astype("datetime64[Y]"), dated)
        self.columns["month"] = _Column.from_periods(moments.astype("datetime64[M]"), dated)

    def normalized_mask(self, facet: str, values: Iterable[str], docnums: np.ndarray) -> np.ndarray:
        """Which `docnums` have any of `values`, compared in normalized form (`category:رياضه`)."""
        column = self.columns.get(facet)
        if column is None:
            return np.zeros(docnums.size, dtype=bool)
        wanted = {normalize(v) for v in values}
        chosen = [v for v in column.values if normalize(v) in wanted]
        return self.selection_mask(facet, chosen, docnums)

    def selection_mask(
        self, facet: str, selected: Iterable[str], docnums: np.ndarray
    ) -> np.ndarray:
        """Which `docnums` (ascending) have any of the `selected` values of `facet`."""
        column = self.columns.get(facet, _NO_VALUES)
        wanted = [column.ids[v] for v in selected if v in column.ids]
        pairs = column.pairs_of(docnums, self.size)
        having = column.pair_doc[pairs[np.isin(column.pair_value[pairs], wanted)]]
        return contains(having, docnums)

    def date_mask(
        self, start: datetime | None, end: datetime | None, docnums: np.ndarray
    ) -> np.ndarray:
        """Which `docnums` are dated within `start`..`end`."""
        dates = self.dates[docnums]
        mask = dates != NO_DATE
        if start is not None:
            mask &= dates >= datetime_to_long(start)
        if end is not None:
            mask &= dates <= datetime_to_long(end)
        return mask

    def count(
        self, facet: str, docnums: np.ndarray, selected: Iterable[str] = (), limit: int = 10
    ) -> FacetCounts:
        """Counts of `facet` values among `docnums` (ascending); selected values always shown."""
        column = self.columns.get(facet, _NO_VALUES)
        pairs = column.pairs_of(docnums, self.size)
        counts = np.bincount(column.pair_value[pairs], minlength=len(column.values))
        chosen = set(selected)
        found = np.flatnonzero(counts)
        if found.size > limit > 0:  # only those that can be among the first `limit` are sorted
            kth = found.size - limit
            found = found[counts[found] >= np.partition(counts[found], kth)[kth]]
        tally = dict(zip(found.tolist(), counts[found].tolist(), strict=True))
        order = sorted(tally, key=lambda i: (-tally[i], column.values[i]))
        shown = order[:limit]
        shown += [column.ids[v] for v in chosen if v in column.ids and column.ids[v] not in shown]
        values = [
            FacetValue(column.values[i], int(counts[i]), column.values[i] in chosen) for i in shown
        ]
        missing = [FacetValue(v, 0, True) for v in chosen if v not in column.ids]
        return FacetCounts(facet, values + missing, truncated=int(np.count_nonzero(counts)) > limit)


_NO_VALUES = _Column([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def filter_masks(
    table: FacetTable, selections: Mapping[str, list[str]], docnums: np.ndarray
) -> dict[str, np.ndarray]:
    """One mask over `docnums` per facet with a selection (values OR'ed)."""
    return {
        name: table.selection_mask(name, values, docnums)
        for name, values in selections.items()
        if values
    }


def combine(
    base: np.ndarray, masks: Mapping[str, np.ndarray], skip: str | None = None
) -> np.ndarray:
    """`base` AND every facet mask except `skip` (the disjunctive count of that facet): masks
    over the same documents, e.g. a search's matches."""
    result = base.copy()
    for name, mask in masks.items():
        if name != skip:
            result &= mask
    return result
