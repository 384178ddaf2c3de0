"""The recency boost: in relevance order, a newer document scores up to twice an older one.

An index's settings may give a half-life in days (`ranking.recency_half_life_days`): a document
of age A (days before the newest document of the index) has its score multiplied by
1 + 2^(-A / half-life), so the newest documents score up to twice as much, one a half-life older
1.5 times, and old ones almost exactly their BM25 score. Undated documents are not boosted. The
newest document, not the clock, marks "now", so an archive that stopped growing keeps its order.
Off by default: relevance is then pure BM25.
"""

import numpy as np

MICROSECONDS_A_DAY = 86_400 * 10**6


def recency_factors(dates: np.ndarray, no_date: int, half_life_days: float) -> np.ndarray:
    """One factor per docnum, from its date (Whoosh microseconds; `no_date` for none)."""
    dated = dates != no_date
    factors = np.ones(dates.size, dtype=np.float32)
    if not dated.any():
        return factors
    newest = dates[dated].max()
    ages = (newest - dates[dated]).astype(np.float64) / MICROSECONDS_A_DAY
    factors[dated] = 1 + np.exp2(-ages / half_life_days)
    return factors
