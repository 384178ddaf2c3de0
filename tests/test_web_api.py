"""The JSON endpoints: shapes, limits and Arabic errors."""

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search.errors import QueryError

ARABIC = re.compile(r"[\u0600-\u06ff]{3,}")
BOOK = "الكتاب"
RESULT_KEYS = {
    "query", "understood", "total", "page", "pages", "per_page", "took_ms", "sort", "filters",
    "partial", "suggestion", "typos", "notices", "results", "facets",
}  # fmt: skip
HIT_KEYS = {
    "id", "title", "snippet", "score", "date", "category", "source", "author", "tags", "url",
    "title_text", "title_spans", "snippet_text", "snippet_spans",
    "facets",
}  # fmt: skip


def answer(client: FlaskClient, url: str, status: int = 200) -> object:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.is_json
    return response.get_json()


def test_search_returns_the_engine_answer(client: FlaskClient) -> None:
    data = answer(client, f"/api/search?q={BOOK}&per_page=2")
    assert set(data) == RESULT_KEYS
    assert data["total"] == 5 and data["pages"] == 3 and len(data["results"]) == 2
    assert set(data["results"][0]) == HIT_KEYS
    assert "<mark>" in data["results"][0]["title"]
    assert set(data["facets"]) == {"category", "source", "author", "tags", "year", "month"}
    assert set(data["facets"]["category"]) == {"label", "values", "truncated"}
    assert data["facets"]["category"]["label"] == "التصنيف"
    assert data["results"][0]["facets"]["source"] == data["results"][0]["source"]
    assert set(data["facets"]["category"]["values"][0]) == {"value", "count", "selected"}


def test_json_carries_markup_characters_escaped(client: FlaskClient) -> None:
    """The text holds no <, > or &, and the parsed values are unchanged (webapp/inert.py)."""
    response = client.get(f"/api/search?q={BOOK}&per_page=2")
    text = response.get_data(as_text=True)
    assert not set("<>&\u2028\u2029") & set(text)
    assert "\\u003cmark\\u003e" in text
    assert response.get_json()["results"][0]["title"].count("<mark>") >= 1


def test_search_filters_sorts_and_pages(client: FlaskClient) -> None:
    data = answer(client, f"/api/search?q={BOOK}&category=ثقافة&sort=oldest&page=2&per_page=2")
    assert data["filters"] == {"category": ["ثقافة"]}
    assert data["sort"] == "oldest" and data["page"] == 2 and data["total"] == 4
    dates = [hit["date"] for hit in answer(client, "/api/search?sort=oldest")["results"]]
    assert dates == sorted(dates)


def test_search_by_date_range(client: FlaskClient) -> None:
    data = answer(client, "/api/search?from=2019-01-01&to=2019-12-31&per_page=100")
    assert data["total"] == 9
    assert all(hit["date"].startswith("2019") for hit in data["results"])


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("page=abc", "page"),
        (f"page={10**9}", "page"),
        (f"per_page={10**6}", "per_page"),
        ("sort=best", "sort"),
        ("to=yesterday", "to"),
        ("colour=red", "colour"),
        ("q=" + "ب" * 501, "q"),
    ],
)
def test_bad_search_parameters_are_400_in_arabic(
    client: FlaskClient, query: str, param: str
) -> None:
    error = answer(client, f"/api/search?{query}", 400)["error"]
    assert error["status"] == 400
    assert ARABIC.search(error["message"])
    assert error["detail"] == f"parameter: {param}"


def test_suggest_completes_the_last_word(client: FlaskClient) -> None:
    data = answer(client, "/api/suggest?q=الذك")
    assert data["query"] == "الذك"
    assert "الذكاء" in data["suggestions"] and "الذكاء الاصطناعي" in data["suggestions"]


def test_suggest_keeps_earlier_words_and_completes_phrases(client: FlaskClient) -> None:
    suggestions = answer(client, "/api/suggest?q=أخبار معرض الك")["suggestions"]
    assert "أخبار معرض الكتاب" in suggestions
    assert all(s.startswith("أخبار ") for s in suggestions)


@pytest.mark.parametrize("typed", ["", "   ", "الكتاب ", "zzzzqqq"])
def test_suggest_offers_nothing_when_nothing_fits(client: FlaskClient, typed: str) -> None:
    assert answer(client, f"/api/suggest?q={typed}")["suggestions"] == []


def test_suggest_in_opensearch_format(client: FlaskClient) -> None:
    response = client.get("/api/suggest?q=الذك&format=opensearch")
    assert response.mimetype == "application/x-suggestions+json"
    typed, suggestions = response.get_json(force=True)
    assert typed == "الذك" and "الذكاء" in suggestions


def test_suggest_refuses_an_unknown_format(client: FlaskClient) -> None:
    assert ARABIC.search(answer(client, "/api/suggest?q=x&format=xml", 400)["error"]["message"])


def test_suggest_survives_a_huge_prefix(client: FlaskClient) -> None:
    assert answer(client, "/api/suggest?q=" + "ك" * 1000)["suggestions"] == []


def test_analyze_reports_each_token(client: FlaskClient) -> None:
    data = answer(client, "/api/analyze?text=والكتاب في")
    assert data["text"] == "والكتاب في"
    first, second = data["tokens"]
    assert set(first) == {
        "token", "start", "end", "normalized", "stem", "stopword", "kept_from_stopword", "plurals",
        "derived",
    }  # fmt: skip
    assert first["token"] == "والكتاب" and first["start"] == 0 and not first["stopword"]
    assert second["stopword"] and second["stem"] is None


@pytest.mark.parametrize("query", ["", "text=" + "a" * 5001])
def test_analyze_refuses_missing_or_huge_text(client: FlaskClient, query: str) -> None:
    assert ARABIC.search(answer(client, f"/api/analyze?{query}", 400)["error"]["message"])


def test_healthz_reports_the_served_index(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["status"] == "ok" and data["documents"] == 60
    assert isinstance(data["generation"], int)


def test_unknown_api_path_is_a_json_404(client: FlaskClient) -> None:
    error = answer(client, "/api/nothing", 404)["error"]
    assert error["title"] == "الصفحة غير موجودة"


def test_wrong_method_is_a_json_405(client: FlaskClient) -> None:
    response = client.post("/api/search")
    assert response.status_code == 405 and response.is_json
    assert ARABIC.search(response.get_json()["error"]["message"])


def test_a_query_the_engine_refuses_is_a_400_with_its_reason(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()

    def refuse(*args: object) -> None:
        raise QueryError("per_page must be between 1 and 100")

    monkeypatch.setattr(app.extensions["fahras"].engine(), "search", refuse)
    error = answer(app.test_client(), "/api/search?q=x", 400)["error"]
    assert ARABIC.search(error["message"]) and error["detail"].startswith("per_page")
