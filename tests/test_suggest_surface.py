""" "Did you mean" offers words as readers write them, not the index's normalized forms (issue 9
§5): the correction of مؤخررا is مؤخرا (the written form), never مءخرا (the hamza folded)."""

from collections.abc import Callable

import pytest
from conftest import Records

from search.engine import SearchEngine, SearchRequest

MakeEngine = Callable[[Records], SearchEngine]


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("مؤخررا", "مؤخرا"),
        ("موخرا", "مؤخرا"),
        ("مسؤولل", "مسؤول"),
        ("رئيسس", "رئيس"),
        ("صورر", "صورة"),
    ],
)
def test_corrections_on_real_news_are_written_forms(
    ant_engine: SearchEngine, typed: str, written: str
) -> None:
    result = ant_engine.search(SearchRequest(q=typed, typos=False))
    assert result.total == 0 and result.suggestion == written
    assert ant_engine.search(SearchRequest(q=result.suggestion)).total > 0


def test_the_most_common_written_form_wins(make_engine: MakeEngine) -> None:
    bodies = ["زار الوفد الإمارات"] * 3 + ["زار الوفد الامارات", "زار الوفد الإِمَارَات"]
    engine = make_engine([{"title": f"خبر {i}", "body": body} for i, body in enumerate(bodies)])
    result = engine.search(SearchRequest(q="الإماراتت", typos=False))
    assert result.suggestion == "الإمارات"  # not الامارات (normalized), diacritics dropped
