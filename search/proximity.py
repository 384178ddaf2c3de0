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
    """Which query word a text's word stands for, remembered per surface form for one query."""

    def __init__(self, words: Sequence[QueryWord]) -> None:
        self.words = words
        self._seen: dict[str, int | None] = {}

    def __call__(self, surface: str) -> int | None:
        if surface in self._seen:
            return self._seen[surface]
        normalized, stemmed = terms_of(surface)
        found = next(
            (
                index
                for index, word in enumerate(self.words)
                if normalized == word.exact or (stemmed is not None and stemmed in word.stems)
            ),
            None,
        )
        self._seen[surface] = found
        return found


def best_window(text: str, find: WordFinder, window: int) -> float:
    """The largest weight of distinct query words within `window` consecutive words of `text`."""
    hits = [
        (position, found)
        for position, match in enumerate(TOKEN_PATTERN.finditer(text))
        if (found := find(match.group())) is not None
    ]
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
