"""Typo tolerance (search/typos.py) on real news: engine, CLI, JSON API, pages and widget."""

import json
import re
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from search import cli
from search.engine import SearchEngine, SearchRequest
from search.typos import Tolerated


def ids(engine: SearchEngine, q: str, **options: object) -> list[str]:
    return [hit.id for hit in engine.search(SearchRequest(q=q, per_page=50, **options)).hits]


def test_a_misspelt_common_word_finds_the_real_words_articles(ant_engine: SearchEngine) -> None:
    result = ant_engine.search(SearchRequest(q="مدرصة", per_page=50))
    assert result.typos == [Tolerated("مدرصة", "مدرسة")]
    assert [n.code for n in result.notices] == ["typo_tolerated"]
    assert "مدرسة was searched too" in result.notices[0].message
    real = ant_engine.search(SearchRequest(q="مدرسة", per_page=50))
    assert real.total >= 10 and result.total == real.total
    assert {hit.id for hit in result.hits} == {hit.id for hit in real.hits}
    assert any("<mark>مدرسة</mark>" in hit.title + hit.snippet for hit in result.hits)
    assert result.suggestion is None  # the page already says what was searched


def test_the_opt_out_searches_only_the_typed_word(ant_engine: SearchEngine) -> None:
    result = ant_engine.search(SearchRequest(q="مدرصة", typos=False))
    assert result.total == 0 and result.typos == [] and result.notices == []
    assert result.suggestion == "مدرسة"  # "did you mean" instead


def test_the_typed_words_documents_come_first(ant_engine: SearchEngine) -> None:
    """ارتقعت (a real typo of ارتفعت in one article) keeps that article on top."""
    typed_only = ids(ant_engine, "ارتقعت", typos=False)
    tolerated = ant_engine.search(SearchRequest(q="ارتقعت", per_page=50))
    assert len(typed_only) == 1 and tolerated.typos == [Tolerated("ارتقعت", "ارتفعت")]
    assert tolerated.total > 10 and tolerated.hits[0].id == typed_only[0]


def test_a_rare_real_word_is_not_corrected(ant_engine: SearchEngine) -> None:
    """ابراج (towers) is in one article; the speller's neighbour إخراج is common, and a word of
    the lexicon is still never widened into it."""
    plain = ant_engine.search(SearchRequest(q="ابراج", typos=False))
    assert plain.total == 1 and plain.suggestion == "إخراج"  # the neighbour exists
    result = ant_engine.search(SearchRequest(q="ابراج"))
    assert result.typos == [] and [h.id for h in result.hits] == [h.id for h in plain.hits]


@pytest.mark.parametrize("q", ["=مدرصة", '"مدرصة"', '"مدرصة في"', "مدرصة*", "الحكومة -مدرصة"])
def test_exact_forms_phrases_prefixes_and_exclusions_are_not_widened(
    ant_engine: SearchEngine, q: str
) -> None:
    result = ant_engine.search(SearchRequest(q=q))
    assert result.typos == [] and ids(ant_engine, q) == ids(ant_engine, q, typos=False)


def test_a_field_restricted_word_is_widened_in_its_field(ant_engine: SearchEngine) -> None:
    result = ant_engine.search(SearchRequest(q="title:الحقومة", per_page=50))
    assert result.typos == [Tolerated("الحقومة", "الحكومة", "title")]
    assert [h.id for h in result.hits] == ids(ant_engine, "title:الحكومة")


def test_queries_whose_words_all_match_are_unchanged(ant_engine: SearchEngine) -> None:
    for q in ("الحكومة مدرسة", "وزير الخارجية", "من هو رئيس"):
        on = ant_engine.search(SearchRequest(q=q, per_page=20))
        off = ant_engine.search(SearchRequest(q=q, per_page=20, typos=False))
        assert on.typos == []
        assert [(h.id, h.score) for h in on.hits] == [(h.id, h.score) for h in off.hits]


def test_other_words_of_the_query_still_count(ant_engine: SearchEngine) -> None:
    result = ant_engine.search(SearchRequest(q="مدرصة الأطفال", per_page=5))
    assert result.typos == [Tolerated("مدرصة", "مدرسة")] and not result.partial
    assert result.total == ant_engine.search(SearchRequest(q="مدرسة الأطفال")).total
    off = ant_engine.search(SearchRequest(q="مدرصة الأطفال", typos=False))
    assert off.partial  # without it, مدرصة is found nowhere: only الأطفال is searched


def test_cli_says_what_was_searched_and_how_to_opt_out(
    ant_index: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["search", "مدرصة", "--index", str(ant_index), "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "note: مدرصة matches almost nothing: مدرسة was searched too" in out
    assert "--no-typos" in out and "[مدرسة]" in out
    assert cli.main(["search", "مدرصة", "--index", str(ant_index), "--no-typos"]) == 0
    out = capsys.readouterr().out
    assert "0 results" in out and "did you mean: مدرسة" in out
    assert cli.main(["search", "مدرصة", "--index", str(ant_index), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["typos"] == [{"typed": "مدرصة", "added": "مدرسة", "field": None}]


# The web faces, over the bundled sample (مدرسة is in 12 of its articles).


def test_api_reports_the_typo_and_takes_the_opt_out(client: FlaskClient) -> None:
    answer = client.get("/api/search?q=مدرصة").get_json()
    assert answer["typos"] == [{"typed": "مدرصة", "added": "مدرسة", "field": None}]
    assert answer["total"] > 0 and answer["notices"][0]["code"] == "typo_tolerated"
    answer = client.get("/api/search?q=مدرصة&typos=off").get_json()
    assert answer["typos"] == [] and answer["total"] == 0 and answer["suggestion"] == "مدرسة"
    refused = client.get("/api/search?q=مدرصة&typos=maybe")
    assert refused.status_code == 400 and "«typos»" in refused.get_json()["error"]["message"]


@pytest.mark.parametrize("htmx", [False, True])
def test_page_says_so_with_a_link_to_the_typed_word_only(client: FlaskClient, htmx: bool) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    html = client.get("/search?q=مدرصة", headers=headers).get_data(as_text=True)
    sentence = re.search(r'<p class="typo-notice" dir="rtl">(.*?)</p>', html, re.S)
    assert sentence is not None
    assert "فعرضنا نتائج «<bdi>مدرسة</bdi>» أيضًا" in sentence[1]
    link = re.search(r'<a href="([^"]+)" hx-get="[^"]+"[^>]*class="only-typed"', sentence[1])
    assert link is not None
    only_url = link[1].replace("&amp;", "&")
    assert unquote(only_url) == "/search?q=مدرصة&typos=off"
    assert 'class="hit"' in html
    only = client.get(only_url, headers=headers).get_data(as_text=True)
    assert "typo-notice" not in only and "هل تقصد" in only
    assert "لا تكاد ترد" not in only  # nor as a plain notice


def test_widget_says_so_with_a_link_to_the_typed_word_only(client: FlaskClient) -> None:
    html = client.get("/embed?q=مدرصة&per-page=3").get_data(as_text=True)
    sentence = re.search(r'<p class="typo-notice" dir="rtl">(.*?)</p>', html, re.S)
    assert sentence is not None and "«<bdi>مدرسة</bdi>»" in sentence[1]
    link = re.search(r'<a href="([^"]+)"', sentence[1])
    assert link is not None and "typos=off" in link[1] and "per-page=3" in link[1]
    only = client.get(link[1].replace("&amp;", "&")).get_data(as_text=True)
    assert "typo-notice" not in only and "هل تقصد" in only


def test_the_document_page_marks_the_neighbour_it_was_found_by(client: FlaskClient) -> None:
    found = client.get("/api/search?q=مدرصة").get_json()["results"][0]["id"]
    html = client.get(f"/doc/{found}?q=مدرصة").get_data(as_text=True)
    assert re.search(r"<mark>[^<]*مدرس", html)
    html = client.get(f"/doc/{found}?q=مدرصة&typos=off").get_data(as_text=True)
    assert "<mark>" not in html
