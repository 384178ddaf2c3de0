"""Typo tolerance: a query word that matches almost nothing is searched with its common neighbour.

As Meilisearch and Algolia do, a misspelt word (مدرصة) is not left to find nothing: its most
frequent one-edit neighbour in the index's vocabulary (مدرسة, chosen by the "did you mean" speller,
search/suggest.py) is searched as well, and the result says so (`Tolerated`, a `typo_tolerated`
notice) with a way to search the typed words only (`SearchRequest.typos=False`).

The typed word is never replaced: the neighbour is one more alternative of its OR-group, ranked at
TYPO_BOOST of its score, so the few documents having the typed word still come first and a rare
word that was meant is still found. Only a plain word is tolerated: an exact form (=كلمة, "كلمة")
or a phrase asks for these letters, a prefix already widens the word, an excluded word excludes
only what was typed, and a synonym or an earlier neighbour is no typed word. A word restricted to
a field (title:مدرصة) is counted, and its neighbour searched, in that field.

When: the typed word matches fewer than ALMOST_NOTHING documents (through its stem, plurals and
form, in the fields it searches), and it is not a word of the Arabic lexicon (search/stemmer.py:
a form seen at least three times in large news corpora is a real word, however rare here: a
name, a rare term, which must not gain unrelated results). The neighbour must be common: the
speller's own test (in at least suggest.KNOWN_ENOUGH documents and suggest.BETTER_BY times as
many as the typed word), and it must itself match at least that many documents in the word's
fields, as a content word (a stop word ranks nothing).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from search.analysis import TokenReport
from search.query import Clause, ParsedQuery
from search.stemmer import lexicon, strip_article
from search.suggest import BETTER_BY, KNOWN_ENOUGH

# Fewer matching documents than this is "almost nothing": the same line as "did you mean"
# (suggest.KNOWN_ENOUGH), since a word in one or two documents of an archive is as likely a typo
# that someone else made as a word that was meant; the typed word's documents still come first.
ALMOST_NOTHING = KNOWN_ENOUGH
# The neighbour's score counts half, as a synonym's does by default: the neighbour's documents
# rank below the typed word's (whose IDF, being rarer, is higher) and decide nothing above them.
TYPO_BOOST = 0.5


@dataclass(frozen=True, slots=True)
class Tolerated:
    """A typed word that matched almost nothing and the neighbour searched with it."""

    typed: str  # the word as typed (without the punctuation around it)
    added: str  # the neighbour, as readers write it
    field: str | None = None  # the text field the word was restricted to, if any

    def as_dict(self) -> dict[str, str | None]:
        return {"typed": self.typed, "added": self.added, "field": self.field}


def tolerate(
    parsed: ParsedQuery,
    matching: Callable[[TokenReport, str | None], int],
    neighbour: Callable[[str], str | None],
    written: Callable[[str], str],
) -> tuple[ParsedQuery, list[Tolerated]]:
    """`parsed` with each near-unmatched typed word's neighbour added to its group.

    `matching(word, field)` counts the documents an analysed word matches, `neighbour(form)` is
    the speller's correction of a normalized form (or None), `written(form)` how readers write it.
    """
    tolerated: list[Tolerated] = []
    groups = []
    for group in parsed.groups:
        widened = list(group)
        for clause in group:
            added = _neighbour_clause(clause, matching, neighbour, written)
            if added is None or any(_same(added, other) for other in widened):
                continue
            widened.append(added)
            typed = clause.words[0].token  # بتسلا، not the بتسلا؟ of a question
            tolerated.append(Tolerated(typed, added.text, clause.field))
        groups.append(widened)
    return (replace(parsed, groups=groups), tolerated) if tolerated else (parsed, [])


def _neighbour_clause(
    clause: Clause,
    matching: Callable[[TokenReport, str | None], int],
    neighbour: Callable[[str], str | None],
    written: Callable[[str], str],
) -> Clause | None:
    if clause.kind != "word" or clause.boost != 1.0 or len(clause.words) != 1:
        return None
    (word,) = clause.words
    if word.stopword or _real_word(word):
        return None
    found = matching(word, clause.field)
    if found >= ALMOST_NOTHING:
        return None
    fixed = neighbour(word.normalized)
    if fixed is None:
        return None
    added = Clause("word", written(fixed), clause.field, TYPO_BOOST)
    if len(added.words) != 1 or added.words[0].stopword:
        return None
    common = max(KNOWN_ENOUGH, BETTER_BY * found)
    return added if matching(added.words[0], clause.field) >= common else None


def _real_word(word: TokenReport) -> bool:
    """A form the lexicon of the news corpora knows, with or without its article."""
    known = lexicon()
    return strip_article(word.normalized) in known or word.normalized in known


def _same(one: Clause, other: Clause) -> bool:
    return [w.normalized for w in one.words] == [w.normalized for w in other.words]
