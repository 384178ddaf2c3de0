"""Term proximity: the best passage of a document, for the top of the ranking.

A question's words stand together in the sentence that answers it, while a long article that
mentions the same words here and there is about something else. BM25 sees only counts, so the
first RERANK_DEPTH documents of a ranking are read again (their stored text, tokenized with the
analyzer's cache) and each gains the weight of the query words found together in its best
window of PASSAGE_WINDOW words (search/ranking.py weighs it against BM25).
"""

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from search.analysis import terms_of
from search.tokenize import TOKEN_PATTERN


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One content word of a query: the terms that stand for it in a text, and its IDF."""

    stems: frozenset[str]  # its stem and the stems of its broken plurals or singular
    exact: str  # its normalized form
    weight: float


class WordFinder:
    """Which query word a text's word stands for, remembered per surface form for one query.

    The first query word (in query order) whose normalized form or stems the text's word has;
    looked up in two tables made once, since the thirty texts of a re-ranking hold thousands
    of distinct words.
    """

    def __init__(self, words: Sequence[QueryWord]) -> None:
        self.words = words
        self._seen: dict[str, int | None] = {}
        self._by_exact: dict[str, int] = {}
        self._by_stem: dict[str, int] = {}
        for index, word in enumerate(words):
            self._by_exact.setdefault(word.exact, index)
            for stem in word.stems:
                self._by_stem.setdefault(stem, index)

    def __call__(self, surface: str) -> int | None:
        if surface not in self._seen:
            self.learn((surface,))
        return self._seen[surface]

    def learn(self, surfaces: Iterable[str]) -> None:
        """Decide and remember the query word of each of `surfaces`."""
        by_exact, by_stem, seen = self._by_exact.get, self._by_stem.get, self._seen
        for surface in surfaces:
            normalized, stemmed = terms_of(surface)
            exact = by_exact(normalized)
            stem = by_stem(stemmed) if stemmed is not None else None
            seen[surface] = exact if stem is None else stem if exact is None else min(exact, stem)


def best_window(text: str, find: WordFinder, window: int) -> float:
    """The largest weight of distinct query words within `window` consecutive words of `text`.

    The top documents of a ranking are thousands of words: the finder learns each new surface
    word once, and the text's words are looked up in its table by C loops, not one by one.
    """
    surfaces = TOKEN_PATTERN.findall(text)  # the pattern has no groups: the tokens' texts
    find.learn(set(surfaces).difference(find._seen))
    found = list(map(find._seen.__getitem__, surfaces))
    hits = [(position, word) for position, word in enumerate(found) if word is not None]
    return _best(hits, find.words, window)


def _best(hits: Iterable[tuple[int, int]], words: Sequence[QueryWord], window: int) -> float:
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
