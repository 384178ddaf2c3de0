""" "Did you mean" and autocomplete, from the vocabulary of the open index generation.

Whoosh's `terms_within` walks an automaton over the whole term dictionary (seconds on 200,000
terms) and its Corrector ranks all candidates alike. Instead: a misspelt word's candidates are
every word one edit away (deletion, substitution, insertion, transposition) that the
exact-view vocabulary holds (hashes derived with each segment, search/derived.py, and mapped:
nothing to build per process), and the most frequent candidate wins. A correction is a
normalized term (مءخرا), so it is offered as readers write it: the most common form it has in a
few documents that contain it (مؤخرا), looked up once per word and generation. Completions
come from the titles, which are short, written with care and name what readers look for; they
keep their written form (مدرسة, not مدرسه). Their counts are derived per segment when it is
written (search/derived.py).
"""

import itertools
import threading
from collections import Counter
from collections.abc import Callable

from whoosh.searching import Searcher

from search.analysis import exact_terms
from search.derived import GenerationData, Words
from search.normalize import ARABIC_LETTERS, normalize, strip_marks
from search.query import Clause, ParsedQuery
from search.tokenize import token_pattern

CORRECTION_FIELDS = ("body", "title")
SURFACE_SAMPLE = 10  # documents read to learn how a corrected word is written
KNOWN_ENOUGH = 3  # a word in this many documents is not corrected
BETTER_BY = 5  # a correction must be this many times more frequent than the word typed
_ALPHABET = "".join(sorted(ARABIC_LETTERS)) + "abcdefghijklmnopqrstuvwxyz0123456789"


class Vocabulary:
    """Spelling and completion over one generation's derived data; thread-safe.

    Document frequencies come from a reader passed in by the caller: Whoosh readers share
    file positions, so each search brings its own.
    """

    def __init__(self, data: GenerationData) -> None:
        self.data = data
        self._lock = threading.Lock()
        self._written: dict[str, str] = {}

    def words(self) -> Words:
        return self.data.words(CORRECTION_FIELDS)

    def correct(self, word: str, searcher: Searcher) -> str | None:
        """The best-known word one edit away from normalized `word`, if clearly better."""
        reader = searcher.reader()

        def doc_frequency(term: str) -> int:
            return sum(reader.doc_frequency(field, term) for field in CORRECTION_FIELDS)

        own = doc_frequency(word)
        if own >= KNOWN_ENOUGH or len(word) < 3:
            return None
        candidates = self.words().having(_edits(word) - {word})
        if not candidates:
            return None
        ranked = sorted(candidates, key=lambda c: (-doc_frequency(c), c))
        best = ranked[0]
        return best if doc_frequency(best) >= max(KNOWN_ENOUGH, BETTER_BY * own) else None

    def written(self, normalized: str, searcher: Searcher) -> str:
        """How readers write the indexed term `normalized`: its most common form (without
        diacritics) in the first SURFACE_SAMPLE documents that have it; مءخرا -> مؤخرا."""
        with self._lock:
            known = self._written.get(normalized)
        if known is not None:
            return known
        reader = searcher.reader()
        forms: Counter[str] = Counter()
        for field in CORRECTION_FIELDS:
            if not reader.doc_frequency(field, normalized):
                continue
            live = (
                d for d in reader.postings(field, normalized).all_ids() if not reader.is_deleted(d)
            )
            for docnum in itertools.islice(live, SURFACE_SAMPLE):
                text = str(searcher.stored_fields(docnum).get(field) or "")
                words = token_pattern(text).findall(text)
                forms.update(
                    strip_marks(word)
                    for word, term in zip(words, exact_terms(words), strict=True)
                    if term == normalized
                )
            if forms:
                break
        form = forms.most_common(1)[0][0] if forms else normalized
        with self._lock:
            self._written[normalized] = form
        return form

    def did_you_mean(self, parsed: ParsedQuery, searcher: Searcher) -> str | None:
        """The query with each misspelt plain word replaced, or None if nothing changed."""
        changed = False
        parts = []
        for group in parsed.groups:
            alternatives = []
            for clause in group:
                text = clause.display()
                if clause.kind == "word":
                    fixed = _fix_words(
                        clause,
                        lambda w: self.correct(w, searcher),
                        lambda w: self.written(w, searcher),
                    )
                    if fixed != clause.text:
                        changed = True
                        text = (f"{clause.field}:" if clause.field else "") + fixed
                alternatives.append(text)
            parts.append(" OR ".join(alternatives))
        parts += ["-" + c.display() for c in parsed.excluded]
        return " ".join(parts) if changed else None

    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        """The most frequent title words and two-word phrases starting with `prefix`."""
        wanted = normalize(" ".join(prefix.split()))
        if not wanted:
            return []
        return self.data.complete(wanted, limit)


def _edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return deletes | transposes | replaces | inserts


def _fix_words(
    clause: Clause, correct: Callable[[str], str | None], written: Callable[[str], str]
) -> str:
    """The clause's text with each misspelt word replaced by its correction, as readers write
    it."""
    text = clause.text
    out, cursor = [], 0
    for word in clause.words:
        fixed = correct(word.normalized)
        if fixed:
            out.append(text[cursor : word.start])
            out.append(written(fixed))
            cursor = word.end
    out.append(text[cursor:])
    return "".join(out)
