"""Related articles (search/related.py) on real news: ANT's sports reports find sports reports."""

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search.cli import main
from search.engine import SearchEngine, SearchRequest
from search.related import distinctive_words

SPORT = "sport"


def documents_of(engine: SearchEngine, category: str) -> list[str]:
    """Every document filed under `category` only (sorted by date, as the engine pages them)."""
    ids = []
    for page in range(1, 11):
        request = SearchRequest(filters={"category": [category]}, per_page=100, page=page)
        hits = engine.search(request).hits
        ids += [hit.id for hit in hits if hit.facets["category"] == [category]]
        if len(hits) < 100:
            return ids
    return ids


def test_the_first_related_article_of_a_sports_report_is_a_sports_report(
    ant_engine: SearchEngine,
) -> None:
    reports = documents_of(ant_engine, SPORT)
    assert len(reports) > 250
    firsts = []
    for doc_id in reports:
        related = ant_engine.related(doc_id)
        assert related is not None and len(related) == 5, doc_id
        assert doc_id not in [hit.id for hit in related]
        firsts.append(SPORT in related[0].facets["category"])
    share = sum(firsts) / len(firsts)
    assert share >= 0.9, f"{share:.1%} of {len(firsts)} sports reports"  # measured: 93%


@pytest.mark.parametrize("category", ["economy", "technology"])
def test_related_articles_share_the_subject(ant_engine: SearchEngine, category: str) -> None:
    """Economy and technology overlap with world news more than sport does: measured 74-76%."""
    reports = documents_of(ant_engine, category)
    same = 0
    for doc_id in reports:
        related = ant_engine.related(doc_id) or []
        assert doc_id not in [hit.id for hit in related]
        same += bool(related) and category in related[0].facets["category"]
    assert same / len(reports) >= 0.65


def test_scores_are_in_order_and_unknown_ids_are_none(ant_engine: SearchEngine) -> None:
    doc_id = documents_of(ant_engine, SPORT)[0]
    scores = [hit.score for hit in ant_engine.related(doc_id, limit=10) or []]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert ant_engine.related("no-such-document") is None


def test_distinctive_words_weigh_frequency_against_the_index() -> None:
    frequencies = {"برشلون": 40, "مدريد": 60, "مباراه": 900, "قال": 20_000}

    def document_frequency(form: str) -> int:
        return next((n for stem, n in frequencies.items() if form.startswith(stem)), 1)

    words = distinctive_words(
        "برشلونة يفوز على ريال مدريد",
        "قال المدرب إن برشلونة لعب مباراة كبيرة أمام مدريد في 2020، وإن الفوز على مدريد مهم.",
        document_frequency,
        documents=30_000,
    )
    assert words[:2] == ["مدريد", "برشلونه"]
    assert "2020" not in words and "في" not in words and "على" not in words
    assert "ريال" not in words  # in this document only: it finds nothing else


def test_related_over_http_and_on_the_command_line(
    make_app: Flask, ant_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client: FlaskClient = make_app(FAHRAS_INDEX=str(ant_index)).test_client()
    engine = SearchEngine(ant_index)
    doc_id = documents_of(engine, SPORT)[0]
    expected = [hit.id for hit in engine.related(doc_id) or []]
    engine.close()
    answer = client.get(f"/api/documents/{doc_id}/related").json
    assert answer["id"] == doc_id and [hit["id"] for hit in answer["related"]] == expected
    page = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert "مقالات ذات صلة" in page and all(f"/doc/{i}" in page for i in expected)

    assert main(["search", "--related", doc_id, "--limit", "5", "--index", str(ant_index)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.rsplit("[", 1)[1].rstrip("]") for line in printed] == expected
    assert main(["search", "--related", "nope", "--index", str(ant_index)]) == 1
    assert "no document with id 'nope'" in capsys.readouterr().err
