"""Facet values with spaces (issue 9 §4): `source:"عنب بلدي"` with quotes, and `source:عنب بلدي`
without them when the words after the value complete a known value; otherwise a notice that
suggests the quotes, instead of silently finding nothing."""

from collections.abc import Callable

import pytest
from conftest import Records
from flask.testing import FlaskClient

from search.engine import SearchEngine, SearchRequest
from search.query import parse_query, resolve_loose_facets

MakeEngine = Callable[[Records], SearchEngine]
SOURCES = {"source": ["عنب بلدي", "سكاي نيوز عربية", "سكاي"], "category": ["رياضة"]}


def resolved(query: str) -> tuple[str, list[str]]:
    parsed = parse_query(query)
    resolve_loose_facets(parsed, lambda name: SOURCES.get(name, []))
    return parsed.understood(), [notice.code for notice in parsed.notices]


@pytest.mark.parametrize(
    ("query", "understood", "codes"),
    [
        ('source:"عنب بلدي"', 'source:"عنب بلدي"', []),
        ("source:عنب بلدي", 'source:"عنب بلدي"', []),
        ("سوريا source:عنب بلدي", 'سوريا source:"عنب بلدي"', []),
        ("source:عنب بلدي سوريا", 'سوريا source:"عنب بلدي"', []),
        ("مصدر:عنب بلدى", 'source:"عنب بلدى"', []),  # compared normalized
        ("source:سكاي نيوز عربية", 'source:"سكاي نيوز عربية"', []),  # the longest known value
        ("source:سكاي نيوز", "نيوز source:سكاي", []),  # سكاي alone is a value
        ("source:عنب حلب", "حلب source:عنب", ["facet_quotes"]),
        ("source:عنب OR بلدي", "بلدي source:عنب", []),  # no plain word follows
        ('source:عنب "بلدي"', "=بلدي source:عنب", []),
        ("category:رياضة كرة", "كرة category:رياضة", []),
    ],
)
def test_unquoted_values_take_the_words_that_complete_them(
    query: str, understood: str, codes: list[str]
) -> None:
    assert resolved(query) == (understood, codes)


def test_facet_values_with_spaces_in_the_engine(make_engine: MakeEngine) -> None:
    records = [
        {"title": "قصف في حلب", "body": "تقرير عن حلب", "source": "عنب بلدي"},
        {"title": "قصف في حلب", "body": "تقرير آخر عن حلب", "source": "سكاي نيوز عربية"},
        {"title": "سوق عنب", "body": "بلدي في حلب", "source": "عنب"},
    ]
    engine = make_engine(records)
    quoted = engine.search(SearchRequest(q='حلب source:"عنب بلدي"'))
    unquoted = engine.search(SearchRequest(q="حلب source:عنب بلدي"))
    assert quoted.total == unquoted.total == 1 and not unquoted.notices
    assert unquoted.hits[0].facets["source"] == ["عنب بلدي"]
    unknown = engine.search(SearchRequest(q="source:سكاي عربية"))
    assert unknown.total == 0
    assert [n.detail for n in unknown.notices] == ['source:"سكاي عربية"']


def test_the_page_suggests_quotes_in_arabic(client: FlaskClient) -> None:
    html = client.get("/search?q=source:مجلة غير موجودة").get_data(as_text=True)
    assert "بين علامتي تنصيص: source:&#34;مجلة غير&#34;" in html
