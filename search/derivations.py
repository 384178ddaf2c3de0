"""A verb's forms and its verbal noun: فاز، فازت and فازوا، انتخب and انتخاب share a meaning,
no stem.

A question asks "متى انتخب الرئيس" and the answer says "منذ انتخابه", or "من فاز" and the
answer says "فازوا": light stemming never strips a verb's person or tense. search/data/
derivations.tsv.gz (built by scripts/build_derivations.py from the Arramooz dictionary, kept to
the forms news text uses as verbs and no other verb shares) pairs the forms of each verb with
each other and, for augmented verbs, with their masdar; a query word is expanded with the
stems of its pairs at query time, at a lower weight (search/ranking.py), so the index never
changes.
"""

import gzip
from functools import cache

from search.datafiles import read_data
from search.stemmer import stem
from search.stopwords import STOPWORDS


@cache
def _pairs() -> dict[str, tuple[str, ...]]:
    related: dict[str, set[str]] = {}
    data = gzip.decompress(read_data("data/derivations.tsv.gz")).decode("utf-8")
    for line in data.splitlines():
        verb, masdar = (stem(word) for word in line.split("\t"))
        if verb != masdar and not {verb, masdar} & STOPWORDS:
            related.setdefault(verb, set()).add(masdar)
            related.setdefault(masdar, set()).add(verb)
    return {word: tuple(sorted(others)) for word, others in related.items()}


def derived_forms(stemmed: str) -> tuple[str, ...]:
    """The stems of a verb's other forms and masdar (يستخدم → استخدم، استخدام), or of a masdar's
    verb forms, if known."""
    return _pairs().get(stemmed, ())
