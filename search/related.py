"""Related articles ("more like this"): a document's most distinctive words, searched for.

A document's words are analyzed as the index analyzes them (search/analysis.py); each stem
weighs its frequency in the document (title words twice, as a headline names the subject) times
its IDF in the index, taken from the document frequency of the stem's commonest form in the
document. Stop words, numbers and words no other document has are left out. The top MAX_WORDS
forms are then scored as one long query of the ranking model (search/ranking.py): BM25 with one
IDF per word over body and title, every document with any of the words, those with more of them
first (coordination). The document itself is removed from the answer.

Each word is read as its exact form from the generation's cached postings (search/postings.py),
not as a stem: a stem merges the postings of every indexed form of it (a dozen reads a word), and
on the 31,525 ANT articles that made a related list cost 150 ms at p50 instead of about 15
(bench/related_bench.py), for the same first related article in sports reports.
"""

import heapq
from collections import Counter
from collections.abc import Callable

import numpy as np
from whoosh.searching import Searcher

from search.analysis import terms_of
from search.postings import Postings
from search.ranking import TITLE_WEIGHT, bm25f, coordination, idf
from search.tokenize import iter_tokens

# Sports reports of the ANT 1/21 slice whose first related article is sport: 92% with 20 words,
# 93% with 25 (Lucene MoreLikeThis's default), 94% with 30, 93% with 40; each word costs two
# postings reads, so the gain past 25 is not worth its time.
MAX_WORDS = 25
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
    searcher: Searcher, postings: Postings, doc_id: str, limit: int
) -> list[tuple[int, float]] | None:
    """(docnum, score) of up to `limit` documents like `doc_id`; None if it is not indexed."""
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    reader = searcher.reader()
    words = distinctive_words(
        str(stored.get("title") or ""),
        str(stored.get("body") or ""),
        lambda form: reader.doc_frequency("body", form),
        searcher.doc_count(),
    )
    scores = _scores(postings, words)
    scores[docnum] = 0
    candidates = np.flatnonzero(scores > 0)
    if candidates.size > limit:
        candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
    best = candidates[np.lexsort((candidates, -scores[candidates]))]
    return [(int(d), round(float(scores[d]), 4)) for d in best]


def _scores(postings: Postings, words: list[str]) -> np.ndarray:
    """The words as one long query of the ranking model: BM25F over the body and (at
    TITLE_WEIGHT) the title, any of the words, more of them ranked higher."""
    total = np.zeros(postings.size, dtype=np.float32)
    matched = np.zeros(postings.size, dtype=np.float32)
    body, title = postings.lengths("body"), postings.lengths("title")
    average = postings.average_length("body") + postings.average_length("title") * TITLE_WEIGHT

    def lengths(docnums: np.ndarray) -> np.ndarray:
        return body[docnums] + title[docnums] * np.float32(TITLE_WEIGHT)

    for form in words:
        views = [
            (*postings.frequencies("body", form), 1.0),
            (*postings.frequencies("title", form), TITLE_WEIGHT),
        ]
        docnums, scores = bm25f(views, lengths, average, postings.live_count)
        total[docnums] += scores
        matched[docnums] += 1
    return total * coordination(matched, len(words))
