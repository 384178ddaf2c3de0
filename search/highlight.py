"""Highlighted snippets on the original text: whole words, diacritics and clitics included.

Whoosh's highlighter re-analyzes stored text through a chain of generators for every hit; this
one reuses the analyzer's per-word cache and marks each token whose stem or exact form the query
asked for, so بِالْكِتَابِ is marked whole when the reader typed كتاب. The result is data, a
`Marked` text with (start, end) spans, that each face renders its own way: `<mark>` in HTML with
everything else escaped, colour on a terminal, spans in the CLI's JSON.
"""

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from itertools import compress
from operator import methodcaller

from search.analysis import exact_terms, terms_of
from search.query import ParsedQuery
from search.tokenize import token_pattern

ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")
_TEXT_OF = methodcaller("group")

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Marked:
    """A text and the (start, end) offsets in it of the words the query matched, in order."""

    text: str
    spans: tuple[Span, ...] = ()

    def render(self, opening: str, closing: str, quote: Callable[[str], str] = str) -> str:
        """The text with each span between `opening` and `closing`, the rest through `quote`."""
        out, cursor = [], 0
        for start, end in self.spans:
            out += [quote(self.text[cursor:start]), opening, quote(self.text[start:end]), closing]
            cursor = end
        out.append(quote(self.text[cursor:]))
        return "".join(out)

    def html(self) -> str:
        """Safe HTML: everything escaped, matches in <mark>."""
        return self.render("<mark>", "</mark>", escape)


@dataclass(frozen=True, slots=True)
class MatchTerms:
    """What a query matches: stems, normalized forms, prefixes, and phrases (word sequences)."""

    stems: frozenset[str] = frozenset()
    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = field(default=())
    phrases: tuple[tuple[str, ...], ...] = field(default=())
    # Every exact term a matched word can have (its forms and its stems' indexed forms), when
    # known: texts are then matched with set lookups, no word of theirs stemmed.
    forms: frozenset[str] | None = None
    # Verdicts by surface word: the snippets of one page of results repeat most of their words.
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.stems or self.exact or self.prefixes or self.phrases)

    def matches(self, surface: str) -> bool:
        if surface not in self._seen:
            self.learn((surface,))
        return self._seen[surface]

    def learn(self, surfaces: Iterable[str]) -> None:
        """Decide and remember whether the query matches each of `surfaces`."""
        exact, stems, prefixes, seen = self.exact, self.stems, self.prefixes, self._seen
        for surface in surfaces:
            normalized, stemmed = terms_of(surface)
            seen[surface] = (
                normalized in exact
                or (stemmed is not None and stemmed in stems)
                or normalized.startswith(prefixes)  # False for no prefixes
            )


def terms_for(
    parsed: ParsedQuery, forms_of: Callable[[str], Iterable[str]] | None = None
) -> MatchTerms:
    """What to highlight for a parsed query: words by stem or form, phrases only in order.

    `forms_of` gives a stem's indexed forms (the index's derived tables), if at hand.
    """
    stems: set[str] = set()
    exact: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for group in parsed.groups:
        for clause in group:
            forms = [word.normalized for word in clause.words]
            if clause.kind == "phrase":
                phrases.append(tuple(forms))
            elif clause.kind == "prefix":
                prefixes += forms
            else:
                exact.update(forms)
                if clause.kind == "word":  # its broken plural or singular is searched too
                    for word in clause.words:
                        stems |= word.stems
    forms = None
    if forms_of is not None:
        forms = frozenset(exact).union(*(forms_of(stem) for stem in stems))
    return MatchTerms(frozenset(stems), frozenset(exact), tuple(prefixes), tuple(phrases), forms)


def match_spans(text: str, terms: MatchTerms) -> list[tuple[int, int]]:
    """(start, end) of every token of `text` that the query matches, in text order.

    A hit's body is thousands of characters: each new surface word is decided once per query,
    and the tokens are looked up in the query's table by C loops, not one by one.
    """
    if not terms:
        return []
    if terms.phrases:
        return _spans_with_phrases(text, terms)
    tokens = list(token_pattern(text).finditer(text))
    surfaces = list(map(_TEXT_OF, tokens))
    if terms.forms is not None and not terms.prefixes:
        matched = map(terms.forms.__contains__, exact_terms(surfaces))
    else:
        terms.learn(set(surfaces).difference(terms._seen))
        matched = map(terms._seen.__getitem__, surfaces)
    return [token.span() for token in compress(tokens, matched)]


def _spans_with_phrases(text: str, terms: MatchTerms) -> list[tuple[int, int]]:
    """match_spans() of a query with phrases: their words are marked only in order."""
    tokens = list(token_pattern(text).finditer(text))
    marked = {i for i, token in enumerate(tokens) if terms.matches(token.group())}
    forms = [terms_of(token.group())[0] for token in tokens]
    for phrase in terms.phrases:
        size = len(phrase)
        for start in range(len(forms) - size + 1):
            if tuple(forms[start : start + size]) == phrase:
                marked.update(range(start, start + size))
    return [tokens[i].span() for i in sorted(marked)]


def marked_all(text: str, terms: MatchTerms) -> Marked:
    """The whole text with every match (for titles and the document page)."""
    return Marked(text, tuple(match_spans(text, terms)))


def highlight_all(text: str, terms: MatchTerms) -> str:
    """The whole text, escaped, with every match marked."""
    return marked_all(text, terms).html()


def marked_snippet(text: str, terms: MatchTerms, fragments: int = 2, size: int = 160) -> Marked:
    """Up to `fragments` windows of about `size` characters around the densest matches.

    The windows are joined with ellipses into one text; the spans are offsets into that text.
    """
    spans = match_spans(text, terms)
    if not spans:
        cut = _word_end(text, size)
        return Marked(text[:cut] + (ELLIPSIS if cut < len(text) else ""))
    pieces: list[str] = []
    shown: list[Span] = []
    length = 0
    for start, end in _best_windows(text, spans, fragments, size):
        lead = (" " if pieces else "") + (ELLIPSIS if start > 0 else "")
        offset = length + len(lead) - start
        shown += [(s + offset, e + offset) for s, e in spans if start <= s and e <= end]
        piece = lead + text[start:end] + (ELLIPSIS if end < len(text) else "")
        pieces.append(piece)
        length += len(piece)
    return Marked("".join(pieces), tuple(shown))


def snippet(text: str, terms: MatchTerms, fragments: int = 2, size: int = 160) -> str:
    """marked_snippet() as safe HTML."""
    return marked_snippet(text, terms, fragments, size).html()


def _best_windows(
    text: str, spans: list[tuple[int, int]], fragments: int, size: int
) -> list[tuple[int, int]]:
    """Non-overlapping windows holding the most distinct matched words, in text order."""
    ends = [e for _, e in spans]  # tokens do not overlap: ends rise with starts
    scored = []
    for index, (anchor, _) in enumerate(spans):
        start = max(0, anchor - size // 4)
        end = start + size
        words = {text[s:e] for s, e in spans[index : bisect_right(ends, end)]}
        scored.append((-len(words), start, end))
    chosen: list[tuple[int, int]] = []
    for _, start, end in sorted(scored):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
        if len(chosen) == fragments:
            break
    return [(_word_start(text, s), _word_end(text, e)) for s, e in sorted(chosen)]


def _word_start(text: str, position: int) -> int:
    """Move `position` back to the start of its word (by at most 40 characters)."""
    floor = max(0, position - 40)
    spaces = list(_SPACE.finditer(text, floor, position))
    return spaces[-1].end() if spaces else floor


def _word_end(text: str, position: int) -> int:
    """Move `position` on to the end of its word (by at most 40 characters)."""
    if position >= len(text):
        return len(text)
    space = _SPACE.search(text, position, position + 40)
    return space.start() if space else min(len(text), position + 40)
