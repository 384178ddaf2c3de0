"""The ranking model: how much each match of a query word is worth, and how words combine.

search/scorer.py evaluates queries with arrays; this module says what it computes. Every value
here was chosen with bench/relevance.py (MRR@10 on Arabic questions, on Wikipedia paragraphs alone
and among 31,525 news articles) and holds for all queries alike: nothing is tuned per query.

- A word scores BM25F: its occurrences in its views (stem, exact form, broken plurals; title
  and body) are weighted and added before one saturation, against the document's length
  weighted the same way. A title occurrence counts TITLE_WEIGHT body occurrences; the typed form
  adds EXACT_WEIGHT occurrences (so it decides between otherwise equal documents but, saturated
  with the rest, never outweighs a rarer word); a broken plural counts PLURAL_WEIGHT.
- One IDF per word, from the documents that have it in any view.
- Stop words carry no meaning: a group of stop words only is dropped from ranking and from the
  count of words a document has, unless the query has nothing else ("من هو"). So is a word found
  nowhere (junk such as a typed `\\n`): it cannot tell documents apart.
- Every document with some of the words is returned, those with more of them scoring up to
  1 + COORDINATION times more; for short queries (fewer than LONG_QUERY content words) those
  with every word come first.
- The first RERANK_DEPTH documents gain PROXIMITY_WEIGHT times the IDFs of the query words found
  together within PASSAGE_WINDOW words (search/proximity.py): the answer to a question holds
  its words in one sentence, an article that merely mentions them does not. Each pair of
  consecutive query words found side by side, in either order, adds ADJACENCY_WEIGHT times
  the rarer word's IDF: names and construct phrases (جامعة القاهرة) are units of several words.

Measured on all six columns and not kept (README's relevance table): per-field length norms
(BM25F proper; arcd_train −0.013), lengths without stop words, coordination by IDF share, a
proximity window of content words only: none helped the sets together. b 0.9 scored higher
(+0.019 with the news) only by sinking the news articles, 2 to 10 times longer than every
relevant document of the sets: a property of the sets, not of Arabic.
"""

from collections.abc import Callable, Sequence

import numpy as np

from search.docsets import union
from search.query import Clause

K1 = 1.5  # BM25 saturation: BM25F adds weighted views before it, so repeats count a bit more
B = 0.75  # length normalization: 0.9 scores higher by sinking the news, 2 to 10 times longer
TITLE_BOOST = 0.5  # titles are short: at 2.0 one title word outranked whole matching paragraphs
TITLE_WEIGHT = 3.0  # BM25F: a title occurrence counts as this many body occurrences
EXACT_WEIGHT = 0.25  # the typed form itself: its occurrences count this much extra
PLURAL_WEIGHT = 0.3  # a broken plural or singular of the word (مدارس for مدرسة)
DERIVED_WEIGHT = 0.25  # a verb's other forms and masdar (فاز، استخدام for فازوا، يستخدم)
COORDINATION = 0.5  # a document with every word of a long query scores up to 1.5 times more
PROXIMITY_WEIGHT = 1.0  # times the IDFs of the query words found together in one passage
PASSAGE_WINDOW = 20  # words
ADJACENCY_WEIGHT = 0.5  # times the rarer IDF of two consecutive query words found side by side
RERANK_DEPTH = 30  # documents read again for their best passage
LONG_QUERY = 3  # content words from which documents need not have them all
MAX_PREFIX_TERMS = 50

Counts = tuple[np.ndarray, np.ndarray, float]  # docnums, term frequencies, weight of the view


def idf(matching: int, documents: int) -> float:
    """BM25's IDF of a term found in `matching` of `documents` documents."""
    return float(np.log(1 + (documents - matching + 0.5) / (matching + 0.5)))


def bm25f(
    views: Sequence[Counts],
    lengths: Callable[[np.ndarray], np.ndarray],
    average: float,
    documents: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, scores) of one word: BM25F over its weighted views, for the documents having it.

    The word's frequencies in every view (stem and exact form, title and body) are weighted and
    added before one saturation, against the document's length weighted the same way
    (`lengths` of the docnums), so a title word counts like a few body words instead of a
    separately saturated score that a long paragraph always outweighs; one IDF for the word,
    from the documents having it at all. Only those documents are computed (search/docsets.py).
    """
    docnums, frequencies, _ = union(
        [(docnums, counts * np.float32(weight)) for docnums, counts, weight in views]
    )
    found = frequencies > 0
    docnums, frequencies = docnums[found], frequencies[found]
    norm = K1 * (1 - B + B * lengths(docnums) / np.float32(average))
    saturated = frequencies * np.float32(K1 + 1) / (frequencies + norm)
    return docnums, saturated * np.float32(idf(int(docnums.size), documents))


def content_groups(groups: list[list[Clause]]) -> list[list[Clause]]:
    """The OR-groups that rank: groups of stop words only are left out, if others remain."""
    kept = [group for group in groups if not all(_is_stop_word(c) for c in group)]
    return kept or groups


def _is_stop_word(clause: Clause) -> bool:
    """A plain word (not a phrase, exact form or prefix) that has no stem: a stop word."""
    return clause.kind == "word" and all(word.stopword for word in clause.words)


def requires_all_words(word_count: int) -> bool:
    """Whether a query of `word_count` content words wants documents that have every word."""
    return word_count < LONG_QUERY


def coordination(matched: np.ndarray, word_count: int) -> np.ndarray:
    """The factor for documents having `matched` of the `word_count` words (1 for one word)."""
    if word_count < 2:
        return np.ones_like(matched)
    return 1 + COORDINATION * np.maximum(matched - 1, 0) / (word_count - 1)
