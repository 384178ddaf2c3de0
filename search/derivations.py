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

from search.stem_pairs import stem_pairs


def derived_forms(stemmed: str) -> tuple[str, ...]:
    """The stems of a verb's other forms and masdar (يستخدم → استخدم، استخدام), or of a masdar's
    verb forms, if known."""
    return stem_pairs("data/derivations.tsv.gz").get(stemmed, ())
