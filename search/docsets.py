"""Sets of documents as sorted docnum arrays, with a float32 value per document.

A query's cost should follow the postings it touches, not the size of the archive: a word
found in 12 documents of a million is 12 docnums and 12 scores, never a million-long mask.
Postings arrive sorted (search/postings.py), so unions and intersections keep them sorted.
Values are added part by part in the order given, exactly as the dense arrays they replace
added them, so scores are the same to the last bit and rankings do not move.

A union larger than a 1/DENSE_SHARE of the docnum range it spans is gathered in a dense
scratch array instead of sorted: a scatter and one scan cost less than sorting that many.
"""

from collections.abc import Sequence

import numpy as np

DENSE_SHARE = 16

Part = tuple[np.ndarray, np.ndarray]  # ascending unique docnums (int64), float32 values

EMPTY_DOCS = np.zeros(0, dtype=np.int64)
EMPTY_VALUES = np.zeros(0, dtype=np.float32)


def union(parts: Sequence[Part]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(docnums in any part, the parts' values added in order, how many parts have each)."""
    parts = [part for part in parts if part[0].size]
    if not parts:
        return EMPTY_DOCS, EMPTY_VALUES, np.zeros(0, dtype=np.int64)
    if len(parts) == 1:
        docs, values = parts[0]
        return docs, values.astype(np.float32), np.ones(docs.size, dtype=np.int64)
    postings = sum(docs.size for docs, _ in parts)
    span = max(int(docs[-1]) for docs, _ in parts) + 1
    if postings * DENSE_SHARE > span:
        return _dense_union(parts, span)
    docs = merged(np.concatenate([docs for docs, _ in parts]))
    sums = np.zeros(docs.size, dtype=np.float32)
    counts = np.zeros(docs.size, dtype=np.int64)
    for part_docs, values in parts:
        at = np.searchsorted(docs, part_docs)
        sums[at] += values
        counts[at] += 1
    return docs, sums, counts


def merged(runs: np.ndarray) -> np.ndarray:
    """The distinct docnums of concatenated ascending runs, ascending. A stable sort merges
    the runs it finds (ten times faster than `np.unique`, which hashes first)."""
    docs = np.sort(runs, kind="stable")
    if docs.size < 2:
        return docs
    first = np.empty(docs.size, dtype=bool)
    first[0] = True
    np.not_equal(docs[1:], docs[:-1], out=first[1:])
    return docs[first]


def _dense_union(parts: Sequence[Part], span: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sums = np.zeros(span, dtype=np.float32)
    counts = np.zeros(span, dtype=np.int64)
    for docs, values in parts:
        sums[docs] += values
        counts[docs] += 1
    docs = np.flatnonzero(counts)
    return docs, sums[docs], counts[docs]


def contains(docs: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each of `wanted`, whether the ascending `docs` hold it."""
    if not docs.size:
        return np.zeros(wanted.size, dtype=bool)
    at = np.minimum(np.searchsorted(docs, wanted), docs.size - 1)
    return docs[at] == wanted


def intersection(parts: Sequence[Part]) -> Part:
    """(docnums in every part, the parts' values added in order)."""
    if not parts:
        return EMPTY_DOCS, EMPTY_VALUES
    docs = min((docs for docs, _ in parts), key=len)
    for other, _ in parts:
        if other is not docs:
            docs = docs[contains(other, docs)]
    sums = np.zeros(docs.size, dtype=np.float32)
    for part_docs, values in parts:
        sums += values[np.searchsorted(part_docs, docs)]
    return docs, sums


def without(docs: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """Which of `docs` are not in the ascending `removed` (a mask over `docs`)."""
    return ~contains(removed, docs)
