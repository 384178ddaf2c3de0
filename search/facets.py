"""Facet counts and facet filters over arrays read once per index generation.

Counting facets through Whoosh's `groupedby` walks every matching document in Python, which is
too slow when a frequent word matches most of the archive. Instead, when a searcher opens, each
facet's (document, value) pairs are read from their columns into NumPy arrays; a search then
turns its matches into a boolean mask, and every count is one `bincount`. Selections are OR'ed
within a facet and AND'ed across facets; counts are disjunctive: a facet's own selection does not
narrow its own counts, so the reader sees what else they could pick.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from whoosh.reading import IndexReader
from whoosh.util.times import datetime_to_long

from search.fields import BUILTIN, FieldRegistry
from search.normalize import normalize
from search.schema import COLUMN_SUFFIX, FACET_SEPARATOR

ALL_FACETS = BUILTIN.filter_names  # the built-in ones; an index's own: its FieldRegistry
NO_DATE = np.iinfo(np.int64).min
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
    """A facet's (document, value id) pairs, and the value of each id."""

    def __init__(self, values: list[str], pair_doc: np.ndarray, pair_value: np.ndarray) -> None:
        self.values = values
        self.ids = {value: number for number, value in enumerate(values)}
        self.pair_doc = pair_doc
        self.pair_value = pair_value

    @classmethod
    def from_blobs(cls, blobs: Iterable[bytes]) -> "_Column":
        """From one column blob per docnum: values joined by FACET_SEPARATOR, b"" for none."""
        ids: dict[bytes, int] = {}
        docs: list[int] = []
        values: list[int] = []
        separator = FACET_SEPARATOR.encode()
        for docnum, blob in enumerate(blobs):
            if not blob:
                continue
            for part in blob.split(separator) if separator in blob else (blob,):
                docs.append(docnum)
                values.append(ids.setdefault(part, len(ids)))
        names = [raw.decode("utf-8") for raw in ids]
        return cls(names, np.array(docs, dtype=np.int64), np.array(values, dtype=np.int64))

    @classmethod
    def from_labels(cls, labels: np.ndarray, present: np.ndarray) -> "_Column":
        """From one label per docnum (e.g. the year), for the docnums in `present`."""
        docs = np.flatnonzero(present)
        names, inverse = np.unique(labels[docs], return_inverse=True)
        return cls([str(n) for n in names], docs.astype(np.int64), inverse.astype(np.int64))


class FacetTable:
    """Everything needed to filter and count facets for one index generation."""

    def __init__(self, reader: IndexReader, registry: FieldRegistry = BUILTIN) -> None:
        self.size = reader.doc_count_all()
        self.live = np.zeros(self.size, dtype=bool)
        self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        self.columns: dict[str, _Column] = {}
        for name in registry.facet_names:
            # A facet added after the index was built has no column yet: it has no values.
            column = name + COLUMN_SUFFIX
            raw = reader.column_reader(column, translate=False) if _has(reader, column) else ()
            self.columns[name] = _Column.from_blobs(raw)
        self.dates = np.full(self.size, NO_DATE, dtype=np.int64)
        for leaf, offset in reader.leaf_readers():  # a segment with no dates has no date column
            if leaf.has_column("date"):
                raw = leaf.column_reader("date", translate=False)
                stored = np.fromiter(raw, dtype=np.uint64, count=leaf.doc_count_all())
                missing = (stored == 0) | (stored >= 2**63)  # Whoosh writes 2**64-1 for none
                self.dates[offset : offset + stored.size] = np.where(
                    missing, NO_DATE, stored.astype(np.int64)
                )
        dated = self.dates != NO_DATE
        moments = np.where(dated, self.dates - _EPOCH, 0).astype("datetime64[us]")
        self.columns["year"] = _Column.from_labels(np.datetime_as_string(moments, unit="Y"), dated)
        self.columns["month"] = _Column.from_labels(np.datetime_as_string(moments, unit="M"), dated)

    def normalized_mask(self, facet: str, values: Iterable[str]) -> np.ndarray:
        """Documents having any of `values`, compared in normalized form (`category:رياضه`)."""
        column = self.columns.get(facet)
        if column is None:
            return np.zeros(self.size, dtype=bool)
        wanted = {normalize(v) for v in values}
        return self.selection_mask(facet, [v for v in column.values if normalize(v) in wanted])

    def selection_mask(self, facet: str, selected: Iterable[str]) -> np.ndarray:
        """Documents having any of the `selected` values of `facet`."""
        column = self.columns.get(facet, _NO_VALUES)
        wanted = [column.ids[v] for v in selected if v in column.ids]
        mask = np.zeros(self.size, dtype=bool)
        mask[column.pair_doc[np.isin(column.pair_value, wanted)]] = True
        return mask

    def date_mask(self, start: datetime | None, end: datetime | None) -> np.ndarray:
        mask = self.dates != NO_DATE
        if start is not None:
            mask &= self.dates >= datetime_to_long(start)
        if end is not None:
            mask &= self.dates <= datetime_to_long(end)
        return mask

    def count(
        self, facet: str, mask: np.ndarray, selected: Iterable[str] = (), limit: int = 10
    ) -> FacetCounts:
        """Counts of `facet` values among documents in `mask`; selected values always shown."""
        column = self.columns.get(facet, _NO_VALUES)
        counts = np.bincount(column.pair_value[mask[column.pair_doc]], minlength=len(column.values))
        chosen = set(selected)
        order = sorted(
            (int(i) for i in np.flatnonzero(counts)), key=lambda i: (-counts[i], column.values[i])
        )
        shown = [i for i in order[:limit]]
        shown += [column.ids[v] for v in chosen if v in column.ids and column.ids[v] not in shown]
        values = [
            FacetValue(column.values[i], int(counts[i]), column.values[i] in chosen) for i in shown
        ]
        missing = [FacetValue(v, 0, True) for v in chosen if v not in column.ids]
        return FacetCounts(facet, values + missing, truncated=len(order) > limit)


_NO_VALUES = _Column([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _has(reader: IndexReader, column: str) -> bool:
    """Whether the index's schema has `column` (in any segment: a multi-reader asks each)."""
    return column in reader.schema and reader.has_column(column)


def filter_masks(table: FacetTable, selections: Mapping[str, list[str]]) -> dict[str, np.ndarray]:
    """One mask per facet with a selection (values OR'ed)."""
    return {
        name: table.selection_mask(name, values) for name, values in selections.items() if values
    }


def combine(
    base: np.ndarray, masks: Mapping[str, np.ndarray], skip: str | None = None
) -> np.ndarray:
    """`base` AND every facet mask except `skip` (the disjunctive count of that facet)."""
    result = base.copy()
    for name, mask in masks.items():
        if name != skip:
            result &= mask
    return result
