"""Whether the index can be searched right now: what /healthz answers (issue 16 §2).

A health check that reports the document count says "ok" while every search fails on a damaged
file, and a load balancer keeps sending readers there. This one looks at the generation on disk
(table of contents, file sizes, every segment opens: `check.quick_check`), runs two tiny
searches on the generation served (a few milliseconds), and keeps its verdict for a few
seconds, so that frequent probes cost next to nothing. Bytes overwritten in a posting list
that neither search reads are left to `fahras check`, which reads everything.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from search.check import quick_check
from search.engine import SearchEngine, SearchRequest
from search.errors import IndexMissingError
from search.normalize import normalize
from search.tokenize import iter_tokens

HEALTH_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Health:
    problems: list[str] = field(default_factory=list)
    documents: int | None = None
    generation: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class HealthCheck:
    """The verdict on one index, computed at most once every `seconds` (thread-safe)."""

    def __init__(
        self,
        index_dir: Path,
        seconds: float = HEALTH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.index_dir = index_dir
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._verdict: Health | None = None
        self._when = 0.0

    def verdict(self, open_engine: Callable[[], SearchEngine]) -> Health:
        """The cached verdict, or a new one; IndexMissingError while there is no index."""
        with self._lock:
            now = self._clock()
            if self._verdict is None or now - self._when >= self.seconds:
                self._verdict, self._when = self._probe(open_engine), now
            return self._verdict

    def _probe(self, open_engine: Callable[[], SearchEngine]) -> Health:
        problems = [str(damage) for damage in quick_check(self.index_dir)]
        try:
            engine = open_engine()
            tiny_searches(engine)
            return Health(problems, engine.doc_count(), engine.generation())
        except IndexMissingError:
            raise
        except Exception as exc:  # whatever a damaged file raises is what readers would get
            problems.append(f"a search fails: {type(exc).__name__}: {str(exc)[:200]}")
            return Health(problems)


def tiny_searches(engine: SearchEngine) -> None:
    """The newest document (columns, stored fields), then the longest word of its title (term
    list, posting lists): a few milliseconds, and what any reader's search reads. The word is
    also looked up in Whoosh's own term list, which the derived data otherwise spares a search
    from reading: a term the title has and the list lacks is a damaged list. Both are searched
    afresh: an answer kept from before the damage would hide it."""
    newest = engine.search(SearchRequest(q="", per_page=1), afresh=True)
    title = newest.hits[0].title_text if newest.hits else ""
    words = [normalize(token) for token, _, _ in iter_tokens(title)]
    if words:
        word = max(words, key=len)
        engine.search(SearchRequest(q=word, per_page=1), afresh=True)
        engine.read_postings("title", word)
