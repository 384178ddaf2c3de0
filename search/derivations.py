"""Verbs and their verbal nouns: تأسست and تأسيس، انتخب and انتخاب share a meaning, no stem.

A question asks "متى تأسست الشركة" and the answer says "منذ تأسيسها", or the other way round.
search/data/derivations.tsv.gz (built by scripts/build_derivations.py from the Arramooz
dictionary, kept to augmented verbs whose forms news text uses as verbs and no other verb
shares) pairs each verb form with its masdar; a query word is expanded with the stems of its
pair at query time, at a lower weight (search/ranking.py), so the index never changes.
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
    """The stems of a verb's masdar or a masdar's verb forms (يستخدم → استخدام), if known."""
    return _pairs().get(stemmed, ())
