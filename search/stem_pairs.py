"""Tables of word pairs searched for each other (broken plurals, a verb's forms and masdar).

Each line of such a table pairs two written words; both are read as their stems, and a pair
works both ways. Pairs that stemming already joins, or that reach a stop word, are left out.
"""

import gzip
from functools import cache

from search.datafiles import read_data
from search.stemmer import stem
from search.stopwords import STOPWORDS


@cache
def stem_pairs(data_file: str) -> dict[str, tuple[str, ...]]:
    """Stem -> the stems paired with it in `data_file` (a gzip'd TSV under search/)."""
    related: dict[str, set[str]] = {}
    for line in gzip.decompress(read_data(data_file)).decode("utf-8").splitlines():
        one, other = (stem(word) for word in line.split("\t"))
        if one != other and not {one, other} & STOPWORDS:
            related.setdefault(one, set()).add(other)
            related.setdefault(other, set()).add(one)
    return {word: tuple(sorted(others)) for word, others in related.items()}
