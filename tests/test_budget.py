"""What one search may cost (issue 15): a cost plan fixed before the work, a whole-request deadline.

No wall clock here: costs are counted (posting lists read, documents checked) and deadlines are
passed by a fake clock, and the search must say what it cut.
"""

import pytest

from search import budget
from search import engine as engine_module
from search.engine import SearchEngine, SearchRequest
from search.postings import Postings
from search.query import parse_query
from search.ranking import MAX_PREFIX_TERMS
from search.scorer import QueryScorer

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلم"
BURST = " ".join(f"ال{letter}*" for letter in LETTERS)  # the review's 24 prefixes


def codes(result: object) -> list[str]:
    return [n.code for n in result.notices]  # type: ignore[attr-defined]


def count_reads(monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, str]]:
    """Every (field, term) whose posting list a search reads from now on."""
    read: set[tuple[str, str]] = set()
    real = Postings.bm25

    def counted(self: Postings, field: str, term: str) -> object:
        read.add((field, term))
        return real(self, field, term)

    monkeypatch.setattr(Postings, "bm25", counted)
    return read


def test_the_prefixes_of_a_query_share_one_expansion_allowance(
    ant_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """24 prefixes read about as many posting lists as one would, not 24 times as many."""
    read = count_reads(monkeypatch)
    monkeypatch.setattr(budget, "clock", lambda: 0.0)  # never out of time: only the plan cuts
    one = ant_engine.search(SearchRequest(q="الا*"))
    one_prefix = len({term for _, term in read})
    read.clear()
    burst = ant_engine.search(SearchRequest(q=BURST))
    words = {term for _, term in read}
    assert one_prefix == MAX_PREFIX_TERMS and one.total > 0
    assert len(words) <= budget.PREFIX_TERMS + len(LETTERS), len(words)
    assert "prefix_capped" in codes(burst) and burst.total > 0


def test_a_cost_plan_is_shared_between_clauses() -> None:
    single = budget.plan_cost(parse_query("الا*"), MAX_PREFIX_TERMS)
    many = budget.plan_cost(parse_query(BURST), MAX_PREFIX_TERMS)
    assert single.prefix_terms == MAX_PREFIX_TERMS and single.prefix_scan == budget.PREFIX_SCAN
    assert many.prefix_terms == budget.PREFIX_TERMS // 24
    assert many.prefix_scan == budget.PREFIX_SCAN // 24
    phrases = budget.plan_cost(parse_query('"في من" "على عن"'), MAX_PREFIX_TERMS)
    assert phrases.phrase_checks == budget.PHRASE_CHECKS // 2


def test_a_phrase_of_common_words_checks_only_its_allowance(
    ant_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[int] = []
    real = Postings.phrase_docs

    def counted(self: Postings, field: str, words: list[str], candidates, deadline):  # type: ignore[no-untyped-def]
        checked.append(len(candidates))
        return real(self, field, words, candidates, deadline)

    monkeypatch.setattr(Postings, "phrase_docs", counted)
    monkeypatch.setattr(budget, "PHRASE_CHECKS", 50)
    result = ant_engine.search(SearchRequest(q='"في من"'))
    assert checked and max(checked) == 50
    assert "phrase_capped" in codes(result)


@pytest.fixture
def slow_matching(monkeypatch: pytest.MonkeyPatch) -> None:
    """Matching that (by a fake clock) uses the whole request's budget."""
    now = [0.0]
    monkeypatch.setattr(budget, "clock", lambda: now[0])
    real = QueryScorer.evaluate

    def slow(self: QueryScorer, parsed: object, deadline: object = None) -> object:
        evaluation = real(self, parsed, deadline)  # type: ignore[arg-type]
        now[0] += budget.REQUEST_BUDGET + 1
        return evaluation

    monkeypatch.setattr(QueryScorer, "evaluate", slow)


@pytest.mark.usefixtures("slow_matching")
def test_past_the_deadline_the_search_answers_what_it_has_with_a_notice(
    ant_engine: SearchEngine,
) -> None:
    result = ant_engine.search(SearchRequest(q="الحكومة"))
    assert result.total > 10 and len(result.hits) == 10  # the matches and their ranking
    assert all(not counts.values for counts in result.facets.values())  # no facet counting
    assert not any("<mark>" in hit.snippet for hit in result.hits)  # the body's opening
    assert all(hit.snippet for hit in result.hits)
    spent = [n for n in result.notices if n.code == "budget_spent"]
    assert [n.detail for n in spent] == ["facets, snippets"]


def test_the_new_notices_are_worded_in_arabic() -> None:
    from search import notices
    from webapp.messages import notice

    assert notice(notices.phrase_capped(50).as_dict()).endswith("أول ٥٠ مقال يحويها فقط.")
    assert notice(notices.budget_spent("facets").as_dict()).startswith("استغرق البحث وقته")


def test_within_the_budget_nothing_is_skipped(ant_engine: SearchEngine) -> None:
    result = ant_engine.search(SearchRequest(q="الحكومة"))
    assert "budget_spent" not in codes(result)
    assert any("<mark>" in hit.snippet for hit in result.hits)
    assert result.facets["source"].values


@pytest.mark.parametrize(
    ("q", "cost"),
    [("", 1), ("كتاب", 1), ("كتاب الطفل", 2), ("انتخاب*", 4), ('"معرض الكتاب" -رياضة', 4)],
)
def test_a_query_costs_what_its_clauses_read(q: str, cost: int) -> None:
    assert budget.query_cost(parse_query(q)) == cost


def test_the_review_burst_query_is_expensive() -> None:
    assert budget.query_cost(parse_query(BURST)) == 24 * budget.PREFIX_COST
    assert budget.query_cost(parse_query(BURST)) >= budget.EXPENSIVE_COST
    assert budget.query_cost(parse_query("كتاب الطفل")) < budget.EXPENSIVE_COST
    assert budget.query_cost(parse_query("انتخاب*")) < budget.EXPENSIVE_COST  # a reader's prefix


def test_opening_a_generation_is_not_charged_to_the_search(
    sample_index: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first search of a new generation reads the term lists (seconds on a big index or a
    busy machine): its own budget starts after that, so it is not cut short."""
    now = [0.0]
    monkeypatch.setattr(budget, "clock", lambda: now[0])
    real = engine_module.open_generation

    def slow_open(*args: object) -> object:
        now[0] += budget.REQUEST_BUDGET  # opening the generation takes a whole budget
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "open_generation", slow_open)
    engine = SearchEngine(sample_index)  # type: ignore[arg-type]
    try:
        result = engine.search(SearchRequest(q="كتاب"))
    finally:
        engine.close()
    assert result.total > 0 and not codes(result)
