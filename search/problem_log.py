"""The skipped records and warnings of a run, in bounded memory.

A source of three million broken lines must not keep three million messages (issue 16 §5): a
log keeps a count per reason and the first few `file:line: reason` examples of each, and says
whether a new problem is one of those examples, so only those are shown as they happen.
"""

import re
from dataclasses import dataclass, field

EXAMPLES_PER_REASON = 20
MAX_REASONS = 100  # distinct reasons tracked; any further ones are counted together
OTHER_REASONS = "other problems"

# A reason's kind is its wording before any detail: a colon, a parenthesis, a quote or a number.
_DETAIL = re.compile(r"""[:(;'"\d]""")


def reason_kind(reason: str) -> str:
    """The reason without its details: "duplicate id 'a' (first at f:1)" → "duplicate id"."""
    return _DETAIL.split(reason, maxsplit=1)[0].strip(" ,") or reason[:60]


@dataclass(slots=True)
class ProblemLog:
    """Counts per reason kind and the first `examples_per_reason` messages of each kind."""

    examples_per_reason: int = EXAMPLES_PER_REASON
    counts: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def add(self, where: str, reason: str) -> bool:
        """Count a problem; True when it is one of the examples kept (and so worth showing)."""
        kind = reason_kind(reason)
        if kind not in self.counts and len(self.counts) >= MAX_REASONS:
            kind = OTHER_REASONS
        seen = self.counts.get(kind, 0)
        self.counts[kind] = seen + 1
        if seen >= self.examples_per_reason:
            return False
        self.examples.append(f"{where}: {reason}")
        return True

    def not_shown(self) -> dict[str, int]:
        """Reason kind → how many of its problems are counted but not kept as examples."""
        limit = self.examples_per_reason
        return {kind: count - limit for kind, count in self.counts.items() if count > limit}

    def __len__(self) -> int:
        return sum(self.counts.values())
