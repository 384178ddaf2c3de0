"""Broken plurals: the singular and plural stems that light stemming cannot join.

مدارس is the plural of مدرسة and أسلحة of سلاح, but no suffix rule gets from one to the other.
search/data/plurals.tsv.gz (built by scripts/build_plurals.py from the Arramooz dictionary,
kept to the pairs the news corpora use) lists them; a query word is expanded with the stems of
its pair at query time, at a lower weight (search/ranking.py), so the index never changes.
"""

import gzip
from functools import cache

from search.datafiles import read_data
from search.stemmer import stem
from search.stopwords import STOPWORDS


@cache
def _pairs() -> dict[str, tuple[str, ...]]:
    related: dict[str, set[str]] = {}
    for line in gzip.decompress(read_data("data/plurals.tsv.gz")).decode("utf-8").splitlines():
        singular, plural = (stem(word) for word in line.split("\t"))
        if singular != plural and not {singular, plural} & STOPWORDS:
            related.setdefault(singular, set()).add(plural)
            related.setdefault(plural, set()).add(singular)
    return {word: tuple(sorted(others)) for word, others in related.items()}


def number_forms(stemmed: str) -> tuple[str, ...]:
    """The stems of the singular or broken plurals of a stem (مدرس → مدارس), if known."""
    return _pairs().get(stemmed, ())
