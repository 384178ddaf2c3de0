"""Term proximity: the best passage of a document, for the top of the ranking.

A question's words stand together in the sentence that answers it, while a long article that
mentions the same words here and there is about something else. BM25 sees only counts, so the
first RERANK_DEPTH documents of a ranking are read again (their stored text, tokenized with the
analyzer's cache) and each gains the weight of the query words found together in its best
window of PASSAGE_WINDOW words, and the rarer weight of each pair of consecutive query words
found side by side, in either order (search/ranking.py weighs both against BM25).
"""

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from search.analysis import exact_terms
from search.tokenize import token_pattern


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One content word of a query: the terms that stand for it in a text, and its IDF."""

    stems: frozenset[str]  # its stem and the stems of its broken plurals or singular
    exact: str  # its normalized form
    weight: float


class WordFinder:
    """Which query word each exact term of a text stands for, in one table made per query.

    A text's word stands for the first query word (in query order) that is its normalized form
    or has its stem; the words with a stem are the stem's indexed forms (the generation's
    derived tables), so a text is read with dict lookups and no word of it is stemmed.
    """

    def __init__(self, words: Sequence[QueryWord], forms_of: Callable[[str], Iterable[str]]):
        self.words = words
        self.by_form: dict[str, int] = {}
        for index, word in enumerate(words):
            self.by_form.setdefault(word.exact, index)
            for stem in word.stems:
                for form in forms_of(stem):
                    self.by_form.setdefault(form, index)


def passage_weight(text: str, find: WordFinder, window: int, adjacency: float) -> float:
    """The weight of `text`'s best passage: the query words of its best window of `window`
    words, plus `adjacency` times those of the query's word pairs that `text` holds side by side.

    Arabic names and construct phrases (جامعة القاهرة، وزير الخارجية) are units of several words:
    a text that holds two consecutive query words next to each other speaks of the same thing;
    one that has them in one sentence may not. Either order counts, as a verb stands before or
    after its subject (تأسست الجامعة، الجامعة تأسست). The top documents of a ranking are
    thousands of words: they are mapped to query words by C loops over cached tables, not
    one by one, and both features are read from the same hits.
    """
    terms = exact_terms(token_pattern(text).findall(text))  # no groups: findall gives words
    found = map(find.by_form.get, terms)
    hits = [(position, word) for position, word in enumerate(found) if word is not None]
    return _best(hits, find.words, window) + adjacency * _adjacent(hits, find.words)


def _best(hits: Sequence[tuple[int, int]], words: Sequence[QueryWord], window: int) -> float:
    """The largest weight of distinct query words within `window` consecutive words."""
    inside: dict[int, int] = {}  # query word -> how many of its hits are in the window
    queue: deque[tuple[int, int]] = deque()
    best = total = 0.0
    for position, found in hits:
        queue.append((position, found))
        if inside.get(found, 0) == 0:
            total += words[found].weight
        inside[found] = inside.get(found, 0) + 1
        while queue[0][0] <= position - window:
            _, leaving = queue.popleft()
            inside[leaving] -= 1
            if inside[leaving] == 0:
                total -= words[leaving].weight
        best = max(best, total)
    return best


def _adjacent(hits: Sequence[tuple[int, int]], words: Sequence[QueryWord]) -> float:
    """The weight of the query's word pairs (n, n + 1) found side by side, in either order, each
    pair once: the rarer word's IDF, so a common word next to a name adds no more than it would."""
    pairs = {
        min(first, second)
        for (position, first), (following, second) in pairwise(hits)
        if following == position + 1 and abs(second - first) == 1
    }
    return sum(min(words[first].weight, words[first + 1].weight) for first in pairs)
