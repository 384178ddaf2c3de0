"""Sorted docnum sets (search/docsets.py) against the dense arrays they replace, bit for bit."""

import numpy as np
import pytest

from search.docsets import (
    DENSE_SHARE,
    EMPTY_DOCS,
    contains,
    intersection,
    merged,
    union,
    without,
)

SIZE = 10_000


def random_part(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    docs = np.sort(rng.choice(SIZE, size=count, replace=False)).astype(np.int64)
    return docs, rng.random(count, dtype=np.float32) * np.float32(7.3)


def dense_union(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """What search/scorer.py computed before: one mask and one score array over all docnums."""
    mask = np.zeros(SIZE, dtype=bool)
    scores = np.zeros(SIZE, dtype=np.float32)
    for docs, values in parts:
        mask[docs] = True
        scores[docs] += values
    return np.flatnonzero(mask), scores[mask]


@pytest.mark.parametrize("count", [3, 40, SIZE // DENSE_SHARE // 2, SIZE // 3])
def test_a_union_adds_values_in_order_like_the_dense_arrays(count: int) -> None:
    """Small unions are sorted, large ones gathered densely: both give the dense sums exactly."""
    rng = np.random.default_rng(count)
    parts = [random_part(rng, count) for _ in range(4)]
    docs, sums, counts = union(parts)
    expected_docs, expected_sums = dense_union(parts)
    assert np.array_equal(docs, expected_docs)
    assert np.array_equal(sums, expected_sums)  # the same float32 additions, in the same order
    assert np.array_equal(counts, sum(contains(d, docs).astype(int) for d, _ in parts))


def test_an_intersection_adds_the_parts_in_order() -> None:
    rng = np.random.default_rng(1)
    parts = [random_part(rng, n) for n in (5000, 300, 7000)]
    docs, sums = intersection(parts)
    mask = np.ones(SIZE, dtype=bool)
    total = np.zeros(SIZE, dtype=np.float32)
    for part_docs, values in parts:
        having = np.zeros(SIZE, dtype=bool)
        having[part_docs] = True
        mask &= having
        total[part_docs] += values
    assert docs.size and np.array_equal(docs, np.flatnonzero(mask))
    assert np.array_equal(sums, total[mask])


def test_empty_sets() -> None:
    """A word in no document: empty parts leave unions alone and empty intersections."""
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    some = (np.array([2, 5], dtype=np.int64), np.array([1.5, 2.5], dtype=np.float32))
    assert union([])[0].size == 0 and intersection([])[0].size == 0
    docs, sums, counts = union([empty, some, empty])
    assert docs.tolist() == [2, 5] and sums.tolist() == [1.5, 2.5] and counts.tolist() == [1, 1]
    assert intersection([some, empty])[0].size == 0
    assert without(some[0], empty[0]).tolist() == [True, True]
    assert contains(empty[0], some[0]).tolist() == [False, False]


def test_membership() -> None:
    docs = np.array([1, 4, 9], dtype=np.int64)
    asked = np.array([0, 1, 5, 9, 12], dtype=np.int64)
    assert contains(docs, asked).tolist() == [False, True, False, True, False]
    assert without(asked, docs).tolist() == [True, False, True, False, True]


def test_merged_runs_are_the_distinct_docnums_in_order() -> None:
    rng = np.random.default_rng(5)
    runs = [random_part(rng, n)[0] for n in (1, 50, 900, 900)]
    joined = np.concatenate(runs)
    assert np.array_equal(merged(joined), np.unique(joined))
    assert merged(EMPTY_DOCS).size == 0 and merged(runs[0]).tolist() == runs[0].tolist()
