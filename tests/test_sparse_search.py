"""Searches evaluated over matching docnums only (search/docsets.py): every operator together.

A query's documents are sorted docnum arrays, not masks over the archive, so each way a set is
narrowed or widened (excluded words, query-language filters, request filters and dates,
phrases, prefixes, OR and synonyms, a word in no document) is checked here on a small archive
where the right answer is known, and facet counting over docnums against a mask over all.
"""

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from search.cli import main
from search.engine import SearchEngine, SearchRequest

MakeEngine = Callable[[list[dict[str, str]]], SearchEngine]

ARCHIVE = [
    {"id": "fair", "title": "معرض الكتاب", "body": "افتتح معرض الكتاب في بيروت اليوم",
     "category": "ثقافة", "date": "2019-03-01"},
    {"id": "novel", "title": "رواية جديدة", "body": "صدر الكتاب الجديد عن دار في دمشق",
     "category": "ثقافة", "date": "2020-05-01"},
    {"id": "cars", "title": "معرض السيارات", "body": "افتتح معرض السيارات في بيروت",
     "category": "اقتصاد", "date": "2019-07-01"},
    {"id": "old", "title": "كتب قديمة", "body": "مكتبة قديمة في دمشق تبيع الكتب",
     "category": "ثقافة", "date": "2018-01-01"},
    {"id": "vote", "title": "الانتخابات", "body": "الكتاب والصحفيون يراقبون الانتخابات في بيروت",
     "category": "سياسة", "date": "2020-01-01"},
]  # fmt: skip


@pytest.fixture
def archive(make_engine: MakeEngine) -> SearchEngine:
    return make_engine(ARCHIVE)


def found(engine: SearchEngine, q: str, **options: object) -> tuple[set[str], int]:
    result = engine.search(SearchRequest(q=q, per_page=50, **options))  # type: ignore[arg-type]
    return {hit.id for hit in result.hits}, result.total


def test_excluded_words_and_query_filters_narrow_the_matches(archive: SearchEngine) -> None:
    assert found(archive, "كتاب") == ({"fair", "novel", "vote"}, 3)
    assert found(archive, "كتاب -دمشق") == ({"fair", "vote"}, 2)
    assert found(archive, "كتاب -دمشق تصنيف:ثقافة") == ({"fair"}, 1)
    assert found(archive, "كتاب date:2020") == ({"novel", "vote"}, 2)
    assert found(archive, "-دمشق") == ({"fair", "cars", "vote"}, 3)  # no words: all but these


def test_phrases_prefixes_and_alternatives(archive: SearchEngine) -> None:
    assert found(archive, '"معرض الكتاب"') == ({"fair"}, 1)
    assert found(archive, '"معرض الكتاب" OR سيارات') == ({"fair", "cars"}, 2)
    assert found(archive, "بير* -سيارات") == ({"fair", "vote"}, 2)
    assert found(archive, "=الكتاب -بيروت") == ({"novel"}, 1)


def test_a_word_in_no_document(archive: SearchEngine) -> None:
    """Alone it finds nothing; beside another word it is left out, and the result is partial."""
    assert found(archive, "زخرفيات") == (set(), 0)
    result = archive.search(SearchRequest(q="كتاب زخرفيات"))
    assert {hit.id for hit in result.hits} == {"fair", "novel", "vote"} and result.partial
    nothing = archive.search(SearchRequest(q="زخرفيات"))
    assert all(not counts.values for counts in nothing.facets.values())


def test_request_filters_dates_and_disjunctive_counts(archive: SearchEngine) -> None:
    result = archive.search(
        SearchRequest(q="بيروت OR دمشق", filters={"category": ["ثقافة"]}, date_from="2019")
    )
    assert {hit.id for hit in result.hits} == {"fair", "novel"} and result.total == 2
    counts = {v.value: v.count for v in result.facets["category"].values}
    assert counts == {"ثقافة": 2, "اقتصاد": 1, "سياسة": 1}  # its own selection left out
    json.dumps(result.as_dict())  # plain Python values, as the JSON API sends them
    assert archive.search(SearchRequest(q="بيروت", facet_limit=1)).facets["category"].truncated
    assert {v.value: v.count for v in result.facets["year"].values} == {"2019": 1, "2020": 1}


def test_synonyms_widen_the_matches(tmp_path: Path) -> None:
    source = tmp_path / "records.jsonl"
    records = [
        {"id": "a", "title": "أمريكا", "body": "خبر عن أمريكا والاقتصاد"},
        {"id": "b", "title": "أميركا", "body": "خبر عن أميركا والرياضة"},
        {"id": "c", "title": "فرنسا", "body": "خبر عن فرنسا والاقتصاد"},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    settings = tmp_path / "news.toml"
    settings.write_text('[synonyms]\ngroups = [["أمريكا", "أميركا"]]\n', encoding="utf-8")
    index_dir = tmp_path / "index"
    assert main(["index", str(source), "--index", str(index_dir), "--settings", str(settings)]) == 0
    engine = SearchEngine(index_dir)
    try:
        result = engine.search(SearchRequest(q="أمريكا -الرياضة"))
        assert [hit.id for hit in result.hits] == ["a"]
        assert [hit.id for hit in engine.search(SearchRequest(q="أمريكا")).hits] == ["a", "b"]
        assert found(engine, "أمريكا الاقتصاد") == ({"a", "b", "c"}, 3)
    finally:
        engine.close()


def test_facet_counts_over_docnums_equal_counts_over_a_mask(ant_engine: SearchEngine) -> None:
    """Few docnums are counted by bisecting the pairs, many through a mask: same counts."""
    with ant_engine._reading() as (generation, _):
        table = generation.facets
        live = np.flatnonzero(table.live)
        rng = np.random.default_rng(3)
        for size in (0, 1, 7, live.size // 40, live.size // 3, live.size):
            docnums = np.sort(rng.choice(live, size=size, replace=False))
            mask = np.zeros(table.size, dtype=bool)
            mask[docnums] = True
            for name in ("category", "source", "author", "year"):
                column = table.columns[name]
                expected = np.bincount(
                    column.pair_value[mask[column.pair_doc]], minlength=len(column.values)
                )
                counted = table.count(name, docnums, limit=10**6)
                assert {v.value: v.count for v in counted.values} == {
                    column.values[i]: int(expected[i]) for i in np.flatnonzero(expected)
                }
                chosen = column.values[:2]
                having = np.isin(column.pair_value, [column.ids[v] for v in chosen])
                with_value = np.zeros(table.size, dtype=bool)
                with_value[column.pair_doc[having]] = True
                assert np.array_equal(
                    table.selection_mask(name, chosen, docnums), with_value[docnums]
                )
