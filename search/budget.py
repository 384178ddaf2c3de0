"""What one search may cost: a plan made before any work, and a deadline for the whole request.

A query's cost is known from its parse: each prefix expands to words, each expanded word is a
posting list to read, each phrase checks positions in the documents having all its words. So
the plan shares fixed per-query allowances between the clauses up front (24 prefixes get 1/24 of
the expansion allowance each, not 24 times it) and the search reports what it cut. The deadline
then covers every step of the request: matching, ranking, facets, snippets; a step that finds
it passed does the cheap version of its work (or none) and says so, so a reader always gets an
answer in bounded time, never a worker tied up for seconds.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from search.query import ParsedQuery

REQUEST_BUDGET = 0.8  # seconds one search may take, all steps included
MATCH_SHARE = 0.6  # of the budget, for matching: ranking, facets and snippets need the rest
PREFIX_SCAN = 2_000  # completions a query's prefixes may look at, all prefixes together
PREFIX_TERMS = 120  # words a query's prefixes may expand to, all prefixes together
MIN_PREFIX_TERMS = 4  # even with 24 prefixes each keeps its few most frequent completions
PHRASE_CHECKS = 20_000  # documents a query's phrases may check position by position
clock: Callable[[], float] = time.monotonic  # the searches' clock (tests advance a fake one)


class Deadline:
    """The moment a search must wrap up; `passed()` is cheap enough to ask in loops."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        return cls(clock() + seconds)

    def passed(self) -> bool:
        return clock() > self.at

    def sooner(self, seconds: float) -> "Deadline":
        """This deadline, or `seconds` from now if that comes first (a step's own share)."""
        return Deadline(min(self.at, clock() + seconds))


@dataclass(frozen=True, slots=True)
class CostPlan:
    """Per-clause allowances for one query, fixed before its evaluation starts."""

    prefix_scan: int  # completions each prefix looks at
    prefix_terms: int  # words each prefix expands to
    phrase_checks: int  # documents each phrase checks


def plan_cost(parsed: ParsedQuery, max_prefix_terms: int) -> CostPlan:
    """Share the query's allowances between its prefix and phrase clauses."""
    clauses = [c for group in parsed.groups for c in group] + list(parsed.excluded)
    prefixes = sum(1 for c in clauses if c.kind == "prefix")
    phrases = sum(1 for c in clauses if c.kind == "phrase")
    share = max(1, prefixes)
    return CostPlan(
        prefix_scan=PREFIX_SCAN // share,
        prefix_terms=min(max_prefix_terms, max(MIN_PREFIX_TERMS, PREFIX_TERMS // share)),
        phrase_checks=PHRASE_CHECKS // max(1, phrases),
    )


PREFIX_COST = 4  # a prefix reads up to MAX_PREFIX_TERMS posting lists
PHRASE_COST = 3  # a phrase reads its words' postings and then their positions
# From this cost a search counts as expensive: two prefixes, three phrases, eight words. One
# prefix (a reader's `انتخاب*`) is bounded by MAX_PREFIX_TERMS and stays an ordinary search.
EXPENSIVE_COST = 2 * PREFIX_COST


def query_cost(parsed: ParsedQuery) -> int:
    """What a query costs in units of one plain word, known from its parse alone."""
    clauses = [c for group in parsed.groups for c in group] + list(parsed.excluded)
    weights = {"prefix": PREFIX_COST, "phrase": PHRASE_COST}
    return max(1, sum(weights.get(c.kind, 1) for c in clauses))
