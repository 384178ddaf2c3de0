"""Related articles ("more like this"): a document's most distinctive words, searched for.

A document's words are analyzed as the index analyzes them (search/analysis.py); each stem
weighs its frequency in the document (title words twice, as a headline names the subject) times
its IDF in the index, the document frequency of its commonest form in the document. Stop words,
numbers and words no other document has are left out. The top MAX_WORDS become one query of the
engine's own scorer, which for that many words ranks every document having some of them, those
with more of them first (search/ranking.py). The document itself is removed from the answer.

Everything reads the generation's cached postings, so a document costs a few milliseconds
(bench/related_bench.py measures it on the 31,525 ANT articles).
"""

import heapq
from collections import Counter
from collections.abc import Callable

import numpy as np
from whoosh.searching import Searcher

from search.analysis import terms_of
from search.query import parse_query
from search.ranking import idf
from search.scorer import QueryScorer
from search.tokenize import iter_tokens

MAX_WORDS = 20  # Lucene's MoreLikeThis keeps 25; 20 leaves room under the query's 24-word cap
TITLE_WEIGHT = 2
MIN_DOCUMENTS = 2  # a word in this document only finds nothing else


def distinctive_words(
    title: str,
    body: str,
    document_frequency: Callable[[str], int],
    documents: int,
    limit: int = MAX_WORDS,
) -> list[str]:
    """The `limit` words of a document that best tell it apart, most distinctive first."""
    weights: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text, weight in ((title, TITLE_WEIGHT), (body, 1)):
        for token, _, _ in iter_tokens(text):
            normalized, stemmed = terms_of(token)
            if stemmed is None or len(normalized) < 2 or normalized.isdigit():
                continue
            weights[stemmed] += weight
            forms.setdefault(stemmed, Counter())[normalized] += weight
    scored = []
    for stemmed, frequency in weights.items():
        form = forms[stemmed].most_common(1)[0][0]
        found_in = document_frequency(form)
        if found_in >= MIN_DOCUMENTS:
            scored.append((frequency * idf(found_in, documents), form))
    return [form for _, form in heapq.nlargest(limit, scored)]


def related_documents(
    searcher: Searcher, scorer: QueryScorer, doc_id: str, limit: int
) -> list[tuple[int, float]] | None:
    """(docnum, score) of up to `limit` documents like `doc_id`; None if it is not indexed."""
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    words = distinctive_words(
        str(stored.get("title") or ""),
        str(stored.get("body") or ""),
        lambda form: searcher.doc_frequency("body", form),
        searcher.doc_count(),
    )
    if not words:
        return []
    evaluation = scorer.evaluate(parse_query(" ".join(words)))
    scores = np.where(evaluation.mask, evaluation.scores, 0)
    scores[docnum] = 0
    candidates = np.flatnonzero(scores > 0)
    if candidates.size > limit:
        candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
    best = candidates[np.lexsort((candidates, -scores[candidates]))]
    return [(int(d), round(float(scores[d]), 4)) for d in best]
