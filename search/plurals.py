"""Broken plurals: the singular and plural stems that light stemming cannot join.

مدارس is the plural of مدرسة and أسلحة of سلاح, but no suffix rule gets from one to the other.
search/data/plurals.tsv.gz (built by scripts/build_plurals.py from the Arramooz dictionary,
kept to the pairs the news corpora use) lists them; a query word is expanded with the stems of
its pair at query time, at a lower weight (search/ranking.py), so the index never changes.
"""

from search.stem_pairs import stem_pairs


def number_forms(stemmed: str) -> tuple[str, ...]:
    """The stems of the singular or broken plurals of a stem (مدرس → مدارس), if known."""
    return stem_pairs("data/plurals.tsv.gz").get(stemmed, ())
