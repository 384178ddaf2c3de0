"""Highlighted snippets on the original text: whole words, diacritics and clitics included.

Whoosh's highlighter re-analyzes stored text through a chain of generators for every hit; this
one reuses the analyzer's per-word cache and marks each token whose stem or exact form the query
asked for, so بِالْكِتَابِ is marked whole when the reader typed كتاب. Everything but our `<mark>`
is HTML-escaped, and each snippet is wrapped for bidi safety by the caller.
"""

import re
from dataclasses import dataclass, field
from html import escape

from search.analysis import terms_of
from search.query import ParsedQuery
from search.tokenize import TOKEN_PATTERN, iter_tokens

ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class MatchTerms:
    """What a query matches: stems, normalized forms, prefixes, and phrases (word sequences)."""

    stems: frozenset[str] = frozenset()
    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = field(default=())
    phrases: tuple[tuple[str, ...], ...] = field(default=())
    # Verdicts by surface word: the snippets of one page of results repeat most of their words.
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.stems or self.exact or self.prefixes or self.phrases)

    def matches(self, surface: str) -> bool:
        verdict = self._seen.get(surface)
        if verdict is None:
            normalized, stemmed = terms_of(surface)
            verdict = (
                normalized in self.exact
                or (stemmed is not None and stemmed in self.stems)
                or any(normalized.startswith(p) for p in self.prefixes)
            )
            self._seen[surface] = verdict
        return verdict


def terms_for(parsed: ParsedQuery) -> MatchTerms:
    """What to highlight for a parsed query: words by stem or form, phrases only in order."""
    stems: set[str] = set()
    exact: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for group in parsed.groups:
        for clause in group:
            words = [terms_of(token) for token, _, _ in iter_tokens(clause.text)]
            if clause.kind == "phrase":
                phrases.append(tuple(normalized for normalized, _ in words if normalized))
            elif clause.kind == "prefix":
                prefixes += [normalized for normalized, _ in words if normalized]
            else:
                exact.update(normalized for normalized, _ in words if normalized)
                if clause.kind == "word":
                    stems.update(stemmed for _, stemmed in words if stemmed)
    return MatchTerms(frozenset(stems), frozenset(exact), tuple(prefixes), tuple(phrases))


def match_spans(text: str, terms: MatchTerms) -> list[tuple[int, int]]:
    """(start, end) of every token of `text` that the query matches, in text order."""
    if not terms:
        return []
    tokens = list(TOKEN_PATTERN.finditer(text))
    marked = {i for i, token in enumerate(tokens) if terms.matches(token.group())}
    if terms.phrases:
        forms = [terms_of(token.group())[0] for token in tokens]
        for phrase in terms.phrases:
            size = len(phrase)
            for start in range(len(forms) - size + 1):
                if tuple(forms[start : start + size]) == phrase:
                    marked.update(range(start, start + size))
    return [tokens[i].span() for i in sorted(marked)]


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """Escape text[start:end] and wrap the spans inside it in <mark>."""
    end = len(text) if end is None else end
    out, cursor = [], start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        out.append(escape(text[cursor:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    out.append(escape(text[cursor:end]))
    return "".join(out)


def highlight_all(text: str, terms: MatchTerms) -> str:
    """The whole text, escaped, with every match marked (for the document page)."""
    return mark(text, match_spans(text, terms))


def snippet(text: str, terms: MatchTerms, fragments: int = 2, size: int = 160) -> str:
    """Up to `fragments` windows of about `size` characters around the densest matches."""
    spans = match_spans(text, terms)
    if not spans:
        cut = _word_end(text, size)
        return escape(text[:cut]) + (ELLIPSIS if cut < len(text) else "")
    windows = _best_windows(text, spans, fragments, size)
    parts = []
    for start, end in windows:
        part = mark(text, spans, start, end)
        parts.append((ELLIPSIS if start > 0 else "") + part + (ELLIPSIS if end < len(text) else ""))
    return " ".join(parts)


def _best_windows(
    text: str, spans: list[tuple[int, int]], fragments: int, size: int
) -> list[tuple[int, int]]:
    """Non-overlapping windows holding the most distinct matched words, in text order."""
    scored = []
    for index, (anchor, _) in enumerate(spans):
        start = max(0, anchor - size // 4)
        end = start + size
        words = {text[s:e] for s, e in spans[index:] if e <= end}
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
