"""Answers kept for searches asked again (search/answer_cache.py): the same answer, computed
once per generation, never one cut short by the deadline, never one from before a commit."""

from pathlib import Path

import pytest

from search import budget
from search.answer_cache import AnswerCache
from search.engine import SearchEngine, SearchRequest, SearchResult
from search.health import tiny_searches
from search.scorer import QueryScorer


def counted_evaluations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The queries the engine evaluates from now on (one per search not answered from memory)."""
    evaluated: list[object] = []
    real = QueryScorer.evaluate

    def counted(self: QueryScorer, parsed: object, deadline: object = None) -> object:
        evaluated.append(parsed)
        return real(self, parsed, deadline)  # type: ignore[arg-type]

    monkeypatch.setattr(QueryScorer, "evaluate", counted)
    return evaluated


def shown(result: SearchResult) -> dict[str, object]:
    answer = result.as_dict()
    del answer["took_ms"]
    return answer


@pytest.fixture
def keeping_engine(ant_index: Path) -> SearchEngine:
    engine = SearchEngine(ant_index, answers_kept=8)
    yield engine
    engine.close()


def test_a_search_asked_again_is_answered_from_memory_with_the_same_answer(
    keeping_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    category = keeping_engine.search(SearchRequest(q="الانتخابات")).hits[0].facets["category"]
    evaluated = counted_evaluations(monkeypatch)
    first = keeping_engine.search(SearchRequest(q="الانتخابات", filters={"category": category}))
    again = keeping_engine.search(SearchRequest(q="الانتخابات", filters={"category": category}))
    assert first.total > 10 and any("<mark>" in hit.snippet for hit in first.hits)
    assert shown(again) == shown(first)
    assert len(evaluated) == 1
    keeping_engine.search(SearchRequest(q="الانتخابات", page=2))  # other questions
    keeping_engine.search(SearchRequest(q="الانتخابات", filters={"category": category}, page=2))
    assert len(evaluated) == 3


def test_an_engine_keeps_no_answers_unless_asked_to(
    ant_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated = counted_evaluations(monkeypatch)
    ant_engine.search(SearchRequest(q="الحكومة"))
    ant_engine.search(SearchRequest(q="الحكومة"))
    assert len(evaluated) == 2


def test_an_answer_cut_short_by_the_deadline_is_not_kept(
    keeping_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    monkeypatch.setattr(budget, "clock", lambda: now[0])
    slow = [True]
    real = QueryScorer.evaluate

    def evaluate(self: QueryScorer, parsed: object, deadline: object = None) -> object:
        evaluation = real(self, parsed, deadline)  # type: ignore[arg-type]
        if slow[0]:  # matching used the whole request's budget
            now[0] += budget.REQUEST_BUDGET + 1
        return evaluation

    monkeypatch.setattr(QueryScorer, "evaluate", evaluate)
    cut = keeping_engine.search(SearchRequest(q="الحكومة"))
    assert "budget_spent" in [n.code for n in cut.notices]
    slow[0] = False
    whole = keeping_engine.search(SearchRequest(q="الحكومة"))
    assert "budget_spent" not in [n.code for n in whole.notices]
    assert whole.facets["source"].values and any("<mark>" in h.snippet for h in whole.hits)


def test_the_least_recently_asked_answer_is_dropped_first() -> None:
    cache: AnswerCache[str] = AnswerCache(2)
    cache.put("a", "1")
    cache.put("b", "2")
    assert cache.get("a") == "1"  # now b is the least recently asked
    cache.put("c", "3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("1", None, "3")
    assert len(cache) == 2
    cache.clear()
    assert len(cache) == 0 and cache.get("a") is None
    with pytest.raises(ValueError, match="0 or more"):
        AnswerCache(-1)


def test_the_health_probe_searches_afresh_even_when_answers_are_kept(
    sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = SearchEngine(sample_index, answers_kept=8)
    try:
        tiny_searches(engine)  # a reader's searches, as the probe's: kept
        evaluated = counted_evaluations(monkeypatch)
        tiny_searches(engine)  # an answer kept from before a damage would hide it
        assert len(evaluated) == 2
    finally:
        engine.close()
