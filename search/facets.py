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

from search.schema import COLUMN_SUFFIX, FACET_FIELDS, FACET_SEPARATOR

DATE_FACETS = ("year", "month")
ALL_FACETS = (*FACET_FIELDS, *DATE_FACETS)
NO_DATE = np.iinfo(np.int64).min


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
    def from_lists(cls, per_doc: Iterable[tuple[int, Iterable[str]]]) -> "_Column":
        ids: dict[str, int] = {}
        docs: list[int] = []
        values: list[int] = []
        for docnum, doc_values in per_doc:
            for value in doc_values:
                docs.append(docnum)
                values.append(ids.setdefault(value, len(ids)))
        return cls(list(ids), np.array(docs, dtype=np.int64), np.array(values, dtype=np.int64))


class FacetTable:
    """Everything needed to filter and count facets for one index generation."""

    def __init__(self, reader: IndexReader) -> None:
        self.size = reader.doc_count_all()
        self.live = np.zeros(self.size, dtype=bool)
        self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        self.columns: dict[str, _Column] = {}
        for name in FACET_FIELDS:
            raw = reader.column_reader(name + COLUMN_SUFFIX)
            self.columns[name] = _Column.from_lists(
                (docnum, blob.decode("utf-8").split(FACET_SEPARATOR))
                for docnum, blob in enumerate(raw)
                if blob
            )
        self.dates = np.full(self.size, NO_DATE, dtype=np.int64)
        dated: list[tuple[int, datetime]] = []
        if reader.has_column("date"):
            for docnum, value in enumerate(reader.column_reader("date")):
                if isinstance(value, datetime):
                    self.dates[docnum] = datetime_to_long(value)
                    dated.append((docnum, value))
        self.columns["year"] = _Column.from_lists((d, [f"{when:%Y}"]) for d, when in dated)
        self.columns["month"] = _Column.from_lists((d, [f"{when:%Y-%m}"]) for d, when in dated)

    def mask(self, docnums: Iterable[int]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64)] = True
        return mask & self.live

    def selection_mask(self, facet: str, selected: Iterable[str]) -> np.ndarray:
        """Documents having any of the `selected` values of `facet`."""
        column = self.columns[facet]
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
        column = self.columns[facet]
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
