"""The ranking model: how much each match of a query word is worth, and how words combine.

search/scorer.py evaluates queries with arrays; this module says what it computes. Every value
here was chosen with bench/relevance.py (MRR@10 on Arabic questions, on Wikipedia paragraphs alone
and among 31,525 news articles) and holds for all queries alike: nothing is tuned per query.

- A word scores BM25 in four views: its stem and its exact (normalized) form, in title and body.
  The exact form adds EXACT_BOOST on top of the stem, so the very form typed ranks first.
- One IDF per word, as in BM25F: a word is as informative in a title as in a body, so a view's
  own (higher) IDF does not let rare-in-titles words dominate.
- Stop words carry no meaning: a group of stop words only is dropped from ranking and from the
  count of words a document has, unless the query has nothing else ("من هو").
- Short queries want documents with every word; a long query (a whole question) must not be
  starved by demanding them all: it ranks every document with some of the words, and a document
  with more of them gets up to 1 + COORDINATION times its score.
"""

from collections.abc import Sequence

import numpy as np

from search.analysis import terms_of
from search.query import Clause
from search.tokenize import iter_tokens

K1 = 1.2  # BM25 term-frequency saturation (1.6 and 2.0 measured within 0.005)
B = 0.75  # BM25 length normalization: 0.9 scored higher only by sinking the long news articles
TITLE_BOOST = 0.5  # titles are short: at 2.0 one title word outranked whole matching paragraphs
EXACT_BOOST = 0.5  # the typed form itself, added to the stem's score
COORDINATION = 0.5  # a document with every word of a long query scores up to 1.5 times more
LONG_QUERY = 3  # content words from which documents need not have them all
MAX_PREFIX_TERMS = 50

View = tuple[np.ndarray, np.ndarray, float]  # docnums, BM25 weights (with the view's IDF), boost


def idf(matching: int, documents: int) -> float:
    """BM25's IDF of a term found in `matching` of `documents` documents."""
    return float(np.log(1 + (documents - matching + 0.5) / (matching + 0.5)))


def word_scores(views: Sequence[View], size: int, documents: int) -> tuple[np.ndarray, np.ndarray]:
    """(match mask, scores) of one word over its views, under the word's own IDF.

    Each view's weights carry that view's IDF; it is swapped for the IDF of the word, computed
    from the documents having it in any view.
    """
    mask = np.zeros(size, dtype=bool)
    weights = np.zeros(size, dtype=np.float32)
    for docnums, view_weights, boost in views:
        if docnums.size:
            mask[docnums] = True
            weights[docnums] += view_weights * (boost / idf(docnums.size, documents))
    return mask, weights * np.float32(idf(int(mask.sum()), documents))


def content_groups(groups: list[list[Clause]]) -> list[list[Clause]]:
    """The OR-groups that rank: groups of stop words only are left out, if others remain."""
    kept = [group for group in groups if not all(_is_stop_word(c) for c in group)]
    return kept or groups


def _is_stop_word(clause: Clause) -> bool:
    """A plain word (not a phrase, exact form or prefix) that has no stem: a stop word."""
    return clause.kind == "word" and all(
        terms_of(token)[1] is None for token, _, _ in iter_tokens(clause.text)
    )


def requires_all_words(word_count: int) -> bool:
    """Whether a query of `word_count` content words wants documents that have every word."""
    return word_count < LONG_QUERY


def coordination(matched: np.ndarray, word_count: int) -> np.ndarray:
    """The factor for documents having `matched` of the `word_count` words (1 for one word)."""
    if word_count < 2:
        return np.ones_like(matched)
    return 1 + COORDINATION * np.maximum(matched - 1, 0) / (word_count - 1)
