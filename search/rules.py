"""An index's own analysis rules: protected words, stem overrides, stop-word changes.

The index holds the exact view only; stems are derived when searching (search/postings.py), by
`analysis.stem_of`, which follows the rules active in the current context. The engine activates
the rules its index was built with for each search (`applied`), so two indexes with different
rules can be searched in one process. The rules are recorded with the index when it is built
(search/settings.py): a settings file that asks for other rules makes searches say that a rebuild
is needed, as for any change of analysis.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from search.normalize import normalize
from search.stemmer import ARTICLE_PREFIXES, CONJUNCTIONS, PREPOSITIONS, stem

CACHE_LIMIT = 1_000_000
MADDA = "\u0622"  # آ
# Clitics a protected word may carry and still be itself: وسليمان, بسليمان, والسليمان.
_CLITICS = tuple(
    sorted(
        {*ARTICLE_PREFIXES, *CONJUNCTIONS, *PREPOSITIONS}
        | {c + p for c in CONJUNCTIONS for p in PREPOSITIONS},
        key=len,
        reverse=True,
    )
)


@dataclass(frozen=True, slots=True)
class AnalysisRules:
    """Words in their normalized form (search.normalize), as the stemmer sees them."""

    protected: frozenset[str] = frozenset()
    stems: Mapping[str, str] = field(default_factory=dict)  # word or stem -> the stem to use
    stop_added: frozenset[str] = frozenset()
    stop_removed: frozenset[str] = frozenset()
    # Stems found so far: highlighting asks for every word of every snippet.
    _stems: dict[tuple[str, bool], str | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_words(
        cls,
        protected: list[str] = (),  # type: ignore[assignment]
        stems: Mapping[str, str] | None = None,
        stop_added: list[str] = (),  # type: ignore[assignment]
        stop_removed: list[str] = (),  # type: ignore[assignment]
    ) -> "AnalysisRules":
        """Rules from words as written in a settings file (any spelling, diacritics…)."""
        return cls(
            frozenset(normalize(w) for w in protected),
            {normalize(k): normalize(v) for k, v in (stems or {}).items()},
            frozenset(normalize(w) for w in stop_added),
            frozenset(normalize(w) for w in stop_removed),
        )

    def __bool__(self) -> bool:
        return bool(self.protected or self.stems or self.stop_added or self.stop_removed)

    def as_dict(self) -> dict[str, object]:
        return {
            "protected": sorted(self.protected),
            "stems": dict(sorted(self.stems.items())),
            "stop_added": sorted(self.stop_added),
            "stop_removed": sorted(self.stop_removed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "AnalysisRules":
        return cls(
            frozenset(data.get("protected", ())),  # type: ignore[arg-type]
            dict(data.get("stems", {})),  # type: ignore[arg-type]
            frozenset(data.get("stop_added", ())),  # type: ignore[arg-type]
            frozenset(data.get("stop_removed", ())),  # type: ignore[arg-type]
        )

    def fingerprint(self) -> str:
        canonical = json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]

    def stem_of(self, word: str, surface: str = "") -> str | None:
        """The stem of a normalized word under these rules; None for a stop word."""
        key = (word, MADDA in surface)  # آن is no stop word where ان is (search/analysis.py)
        if key in self._stems:
            return self._stems[key]
        if len(self._stems) >= CACHE_LIMIT:
            self._stems.clear()
        found = self._stems[key] = self._stem_of(word, surface)
        return found

    def _stem_of(self, word: str, surface: str) -> str | None:
        from search.analysis import standard_stem_of  # analysis reads these rules: no cycle

        if word in self.stop_added:
            return None
        chosen = self.stems.get(word) or self._protected(word)
        if chosen is not None:
            return chosen
        stemmed = stem(word) if word in self.stop_removed else standard_stem_of(word, surface)
        if stemmed is None or stemmed in self.stop_added:
            return None
        return self.stems.get(stemmed, stemmed)

    def _protected(self, word: str) -> str | None:
        """The protected word that `word` is, with or without its clitics."""
        if word in self.protected:
            return word
        for clitic in _CLITICS:
            if word.startswith(clitic) and word[len(clitic) :] in self.protected:
                return word[len(clitic) :]
        return None


NO_RULES = AnalysisRules()
ACTIVE: ContextVar[AnalysisRules] = ContextVar("fahras_analysis_rules", default=NO_RULES)


@contextmanager
def applied(rules: AnalysisRules) -> Iterator[None]:
    """Analyze with `rules` in this context (this thread, this search)."""
    token = ACTIVE.set(rules)
    try:
        yield
    finally:
        ACTIVE.reset(token)
