"""Whoosh analyzers for Arabic: thin filters over the pure text functions.

Tokens keep each word whole with its offsets in the original text; only `token.text` is
changed, so highlights land on the original, diacritized words. Two views:

- exact: normalized words, stop words kept (phrases and exact-form search); this is what the
  index holds;
- stemmed: normalized, light-stemmed, stop words removed (recall); derived from the exact view
  at query time (`stem_of`), and available as an analyzer to explain and verify matches.

The analyzers are pickled into the index schema, so this module must stay importable under this
name. Any change to what they produce must bump ANALYSIS_VERSION: an index built with another
version is refused until it is rebuilt. A change to the stemmed view only (stems, stop words,
what `stem_of` answers) bumps STEMMING_VERSION instead: the index stays, and the search data
derived from it (the stem → indexed forms tables, search/derived.py) is derived again.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from whoosh.analysis import Analyzer, Filter, Token

from search.derivations import derived_forms
from search.normalize import normalize, strip_marks
from search.plurals import number_forms
from search.rules import ACTIVE, NO_RULES
from search.stemmer import UNSEEN, lexicon, stem, stop_word_collision, takes_article
from search.stopwords import STOPWORDS, is_stop_word
from search.tokenize import iter_tokens, token_pattern

ANALYSIS_VERSION = 2
STEMMING_VERSION = 3


class ArabicAnalyzer(Analyzer):
    """Tokenizes, normalizes and (for the stemmed view) stems in one pass.

    One fused generator instead of a tokenizer and two filters, with each distinct surface form
    analyzed once per process (news text repeats its words): indexing spends its time in
    Whoosh's posting code, not here.
    """

    def __init__(self, stemmed: bool) -> None:
        self.stemmed = stemmed

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stemmed == self.stemmed

    def __hash__(self) -> int:
        return hash((type(self), self.stemmed))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = _STEMMED_TERMS if self.stemmed else _EXACT_TERMS
        matches = token_pattern(value).finditer(value) if tokenize else [_Whole(value)]
        position = start_pos - 1
        for match in matches:
            surface = match.group()
            term = terms.get(surface)
            if term is None:
                term = _analyze(surface, self.stemmed, terms)
            if not term:
                continue  # only marks: no word at all
            position += 1
            stopped = term is STOPPED
            if stopped and removestops:
                continue
            token.text = surface if stopped else term
            token.stopped = stopped
            token.boost = 1.0
            if keeporiginal:
                token.original = surface
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token

    def positions(self, value: str) -> dict[str, list[int]]:
        """Each indexed term of `value` with its positions, in order of first occurrence: what
        Whoosh's Positions format builds from the tokens of `__call__` (stop words skipped, as
        there), without a Token a word (search/schema.py, WordPositions)."""
        terms = _STEMMED_TERMS if self.stemmed else _EXACT_TERMS
        found: dict[str, list[int]] = {}
        position = -1
        for surface in token_pattern(value).findall(value):
            term = terms.get(surface)
            if term is None:
                term = _analyze(surface, self.stemmed, terms)
            if not term:
                continue  # only marks: no word at all
            position += 1
            if term is STOPPED:
                continue
            positions = found.get(term)
            if positions is None:
                found[term] = [position]
            else:
                positions.append(position)
        return found


class _Whole:
    """Stands in for a regex match when Whoosh asks for the value untokenized."""

    def __init__(self, value: str) -> None:
        self.value = value

    def group(self) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)


MADDA = "\u0622"  # آ: آن (a name) is never أن, though both fold to ان
STOPPED = "\x00stop"  # cache marker: a stop word, absent from the stemmed view
_CACHE_LIMIT = 1_000_000
_STEMMED_TERMS: dict[str, str] = {}
_EXACT_TERMS: dict[str, str] = {}


def stem_of(normalized: str, surface: str = "") -> str | None:
    """The stemmed-view term of an exact-view term, or None for a stop word.

    `surface` is the word as written, when known: آن (a name) folds to ان (أن) but is no stop
    word. A word made of a stop word and clitics (وفي، فيه) is one too, unless the lexicon
    has seen it with the article, as a noun (فهم "understanding" is not ف+هم). An index's own
    rules (search/rules.py: protected words, stems, stop words) come first.
    """
    rules = ACTIVE.get()
    if rules is not NO_RULES:
        return rules.stem_of(normalized, surface)
    return standard_stem_of(normalized, surface)


def standard_stem_of(normalized: str, surface: str = "") -> str | None:
    """`stem_of` without an index's own rules."""
    stop = is_stop_word(normalized) and MADDA not in strip_marks(surface)[:2]  # آن، وآن; not الآن
    if stop and (normalized in STOPWORDS or not _is_noun(normalized)):
        return None
    return stem(normalized)


def _is_noun(word: str) -> bool:
    return takes_article(lexicon().get(word, UNSEEN))


def _analyze(surface: str, stemmed: bool, cache: dict[str, str]) -> str:
    """The indexed term for one surface form ("" for none, STOPPED for a stop word)."""
    term = normalize(surface)
    if stemmed and term:
        term = stem_of(term, surface) or STOPPED
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[surface] = term
    return term


class NormalizeFilter(Filter):
    """Folds each token to its search form; drops tokens that were only marks."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = normalize(token.text)
            if token.text:
                yield token


def exact_analyzer() -> Analyzer:
    """Normalized, unstemmed words, stop words kept: for phrases and exact-form search."""
    return ArabicAnalyzer(stemmed=False)


def stemmed_analyzer() -> Analyzer:
    """Normalized, light-stemmed words without stop words: for recall."""
    return ArabicAnalyzer(stemmed=True)


@dataclass(frozen=True, slots=True)
class TokenReport:
    """What the index makes of one word: the answer to "why does this (not) match?".

    It is also how a query's words are analysed, once per query (`query.Clause.words`): the
    scorer, ranking, proximity, highlighter, speller and typo tolerance read these fields, so
    what `fahras analyze` shows is what a search uses.
    """

    token: str
    start: int
    end: int
    normalized: str
    stem: str | None  # None for a stop word (absent from the stemmed view)
    kept_from: str | None = None  # the stop word a strip would have reached (الأماكن: اما)
    plurals: tuple[str, ...] = ()  # stems of its broken plural or singular, searched too
    derived: tuple[str, ...] = ()  # stems of its verb's other forms and masdar, searched too

    @property
    def stopword(self) -> bool:
        """A stop word: absent from the stemmed view, never required nor ranked."""
        return self.stem is None

    @property
    def stems(self) -> frozenset[str]:
        """The stemmed terms that stand for this word: its stem, its broken plurals' and its
        verb's or masdar's."""
        if self.stem is None:
            return frozenset()
        return frozenset((self.stem, *self.plurals, *self.derived))

    def as_dict(self) -> dict[str, object]:
        return {
            "token": self.token,
            "start": self.start,
            "end": self.end,
            "normalized": self.normalized,
            "stem": self.stem,
            "stopword": self.stem is None,
            "kept_from_stopword": self.kept_from,
            "plurals": list(self.plurals),
            "derived": list(self.derived),
        }

    def notes(self) -> str:
        """What analysis did beyond stemming, in words, for `fahras analyze`."""
        notes = []
        if self.kept_from:
            notes.append(f"not the stop word {self.kept_from}")
        if self.plurals:
            notes.append("also searched: " + "، ".join(self.plurals))
        if self.derived:
            notes.append("verb forms and masdar also searched: " + "، ".join(self.derived))
        return "; ".join(notes)


def explain(text: str) -> list[TokenReport]:
    """Analyze `text` both ways, token by token, as `fahras analyze` shows it and as a query's
    words are searched; under the index's own rules when they are applied (search/rules.py)."""
    reports = []
    for token, start, end in iter_tokens(text):
        normalized = normalize(token)
        if not normalized:
            continue
        stemmed = stem_of(normalized, token)
        kept_from = plurals = derived = None
        if stemmed is not None:
            kept_from = stop_word_collision(normalized)
            if kept_from is None and normalized in STOPWORDS:
                kept_from = normalized  # آن, a name, is not أن
            plurals = number_forms(stemmed)
            derived = derived_forms(stemmed)
        reports.append(
            TokenReport(
                token, start, end, normalized, stemmed, kept_from, plurals or (), derived or ()
            )
        )
    return reports


def exact_terms(surfaces: list[str]) -> list[str]:
    """The exact term of each of `surfaces`, in order: "" for a word of marks only.

    Proximity and highlighting read thousands of words per query, most of them seen before:
    the new ones are normalized once into the process's cache, then every word is looked up
    by a C loop, not by a Python call per word.
    """
    cache = _EXACT_TERMS
    terms = list(map(cache.get, surfaces))
    if None in terms:  # words not seen yet: normalized once, then looked up again
        missing = set(surfaces).difference(cache)
        if len(cache) + len(missing) >= _CACHE_LIMIT:
            cache.clear()
        cache.update({surface: normalize(surface) for surface in missing})
        terms = list(map(cache.get, surfaces))
        if None in terms:  # another thread cleared the cache meanwhile
            terms = [normalize(surface) for surface in surfaces]
    return terms


def terms_of(surface: str) -> tuple[str, str | None]:
    """(exact term, stemmed term or None for a stop word) of one surface word, cached."""
    normalized = _EXACT_TERMS.get(surface)
    if normalized is None:
        normalized = _analyze(surface, False, _EXACT_TERMS)
    if ACTIVE.get() is not NO_RULES:  # the index's own rules: not cached across indexes
        return normalized, stem_of(normalized, surface) if normalized else None
    stemmed = _STEMMED_TERMS.get(surface)
    if stemmed is None:
        stemmed = _analyze(surface, True, _STEMMED_TERMS)
    return normalized, (stemmed if stemmed and stemmed != STOPPED else None)
