"""A query's words are analysed once, when parsed, and every step of a search reads that."""

import pytest

import search.query
from search.engine import SearchEngine, SearchRequest
from search.query import parse_query
from search.rules import AnalysisRules, applied


def test_clauses_carry_their_analysed_words() -> None:
    word, phrase, stop = (group[0] for group in parse_query('والمدارس "معرض الكتاب" من').groups)
    (school,) = word.words
    assert (school.normalized, school.stem) == ("والمدارس", "مدارس")
    assert "مدرسه" in school.plurals and school.stems == {"مدارس", *school.plurals}
    assert [w.normalized for w in phrase.words] == ["معرض", "الكتاب"]
    assert [(w.start, w.end) for w in phrase.words] == [(0, 4), (5, 11)]
    assert stop.words[0].stopword and not stop.words[0].stems


def test_analysis_follows_the_index_rules_in_force_when_first_read() -> None:
    assert parse_query("وسليمان").groups[0][0].words[0].stem == "سليم"
    with applied(AnalysisRules.from_words(["سليمان"])):
        protected = parse_query("وسليمان").groups[0][0]
        assert protected.words[0].stem == "سليمان"
    assert protected.words[0].stem == "سليمان"  # analysed once: kept after the rules end


def test_analysed_words_do_not_change_what_a_clause_equals() -> None:
    first, second = parse_query("كتاب").groups[0][0], parse_query("كتاب").groups[0][0]
    assert first.words and first == second and hash(first) == hash(second)


def test_a_search_analyses_each_clause_once(
    ant_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scoring, stop-word grouping, proximity, highlighting and spelling share one analysis."""
    calls: list[str] = []
    explain = search.query.explain

    def counted(text: str):  # type: ignore[no-untyped-def]
        calls.append(text)
        return explain(text)

    monkeypatch.setattr(search.query, "explain", counted)
    result = ant_engine.search(SearchRequest(q="الحكومة في مدرسة"))
    assert result.total and any("<mark>" in hit.snippet for hit in result.hits)
    assert sorted(calls) == sorted(["الحكومة", "في", "مدرسة"])
