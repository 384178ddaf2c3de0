"""The query language: parse_query on its own, then what each construct matches in an index."""

import json
import random
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from conftest import Records

from search.analysis import stemmed_analyzer, terms_of
from search.engine import SearchEngine, SearchRequest, SearchResult
from search.query import MAX_QUERY_CHARS, Clause, parse_query
from search.schema import FACET_SEPARATOR
from search.store import open_index

MakeEngine = Callable[[Records], SearchEngine]


# --- parse_query ---------------------------------------------------------------------------


def test_plain_words_are_each_required() -> None:
    parsed = parse_query("كتاب  الطفل")
    assert parsed.groups == [[Clause("word", "كتاب")], [Clause("word", "الطفل")]]
    assert parsed.excluded == [] and parsed.filters == {} and parsed.notices == []


@pytest.mark.parametrize(
    "text, clause",
    [
        ('"معرض الكتاب"', Clause("phrase", "معرض الكتاب")),
        ('"  معرض   الكتاب "', Clause("phrase", "معرض الكتاب")),
        ('"الكتاب"', Clause("exact", "الكتاب")),
        ("=الكتاب", Clause("exact", "الكتاب")),
        ("انتخاب*", Clause("prefix", "انتخاب")),
        ("title:الانتخابات", Clause("word", "الانتخابات", "title")),
        ("عنوان:الانتخابات", Clause("word", "الانتخابات", "title")),
        ('title:"معرض الكتاب"', Clause("phrase", "معرض الكتاب", "title")),
    ],
)
def test_single_constructs(text: str, clause: Clause) -> None:
    assert parse_query(text).groups == [[clause]]


def test_exclusions_or_groups_and_filters() -> None:
    parsed = parse_query("مدرسة بيروت OR دمشق أو حلب -رياضة category:ثقافة مصدر:الفجر")
    assert parsed.groups == [
        [Clause("word", "مدرسة")],
        [Clause("word", "بيروت"), Clause("word", "دمشق"), Clause("word", "حلب")],
    ]
    assert parsed.excluded == [Clause("word", "رياضة")]
    assert parsed.filters == {"category": ["ثقافة"], "source": ["الفجر"]}


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("date:2020", datetime(2020, 1, 1), datetime(2020, 12, 31, 23, 59, 59, 999999)),
        ("date:2019..2021", datetime(2019, 1, 1), datetime(2021, 12, 31, 23, 59, 59, 999999)),
        ("تاريخ:2020-05", datetime(2020, 5, 1), datetime(2020, 5, 31, 23, 59, 59, 999999)),
        ("date:2019..", datetime(2019, 1, 1), None),
        ("date:..2019", None, datetime(2019, 12, 31, 23, 59, 59, 999999)),
    ],
)
def test_date_ranges(text: str, start: datetime | None, end: datetime | None) -> None:
    parsed = parse_query(text)
    assert (parsed.date_from, parsed.date_to) == (start, end)
    assert parsed.groups == []


def test_date_comparisons_are_strict() -> None:
    before = parse_query("date:<2018")
    assert before.date_to is not None and before.date_to < datetime(2018, 1, 1)
    after = parse_query("date:>2018-10")
    assert after.date_from is not None and after.date_from >= datetime(2018, 11, 1)


def test_bad_date_is_ignored_with_a_notice() -> None:
    parsed = parse_query("مدرسة date:غدا")
    assert parsed.date_from is None and parsed.date_to is None
    assert parsed.groups == [[Clause("word", "مدرسة")]]
    assert any(n.code == "date_ignored" and n.detail == "غدا" for n in parsed.notices)


BROKEN = [
    "",
    " ",
    '"',
    '"الحكومة',
    'الحكومة"',
    "(الحكومة",
    "الحكومة)",
    "((الحكومة OR",
    "OR",
    "أو",
    "OR OR أو",
    "*",
    "**",
    "-",
    "--",
    "-*",
    "=",
    ":",
    "title:",
    "category:",
    "date:",
    "date:..",
    'title:"',
    '""',
    "ًٌٍ",
    "ـــ",
    "=ً",
    "\x00\x07\x1b[31m",
    "\ud800",
    "الحكومة\udfff",
    "\u202e\u200f\ufeff",
    "🙂",
    "x" * 5000,
    "الحكومة " * 1000,
    "a:b:c",
    "http://example.org/a?b=c",
]


@pytest.mark.parametrize("text", BROKEN)
def test_broken_syntax_never_fails_to_parse(text: str) -> None:
    parsed = parse_query(text)
    understood = parsed.understood()
    understood.encode("utf-8")  # no lone surrogate survives
    assert all(ch >= " " for ch in understood)  # no control character either
    assert len(understood) <= MAX_QUERY_CHARS + 50


def test_random_queries_never_fail_to_parse() -> None:
    pieces = ['"', "(", ")", "*", "-", "=", ":", " ", "OR", "أو", "title:", "date:", "date:>"]
    pieces += ["..", "كتاب", "ال", "ً", "ـ", "\x00", "\ud800", "2018", "٢٠١٨", "source:", "a"]
    rng = random.Random(20)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        parse_query(text).understood().encode("utf-8")


def test_long_query_is_cut_and_says_so() -> None:
    parsed = parse_query("كلمة " * 2000)
    assert parsed.notices and len(parsed.understood()) <= MAX_QUERY_CHARS


# --- in an index ---------------------------------------------------------------------------


def ids(engine: SearchEngine, q: str) -> set[str]:
    result = engine.search(SearchRequest(q=q, per_page=100))
    assert result.total == len(result.hits)
    return {hit.id for hit in result.hits}


def test_phrase_matches_only_those_words_in_that_order(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "in-order", "title": "خبر", "body": "افتتح معرض الكتاب اليوم"},
            {"id": "reversed", "title": "خبر", "body": "الكتاب في معرض اليوم"},
            {"id": "apart", "title": "خبر", "body": "معرض كبير للكتاب"},
            {"id": "diacritics", "title": "خبر", "body": "زار مَعْرِضَ الكِتَابِ"},
            {"id": "in-title", "title": "معرض الكتاب", "body": "نص"},
        ]
    )
    assert ids(engine, '"معرض الكتاب"') == {"in-order", "diacritics", "in-title"}
    assert ids(engine, '"الكتاب معرض"') == set()
    assert ids(engine, "معرض الكتاب") == {"in-order", "reversed", "apart", "diacritics"} | {
        "in-title"
    }
    assert ids(engine, 'title:"معرض الكتاب"') == {"in-title"}


def test_exact_form_does_not_match_other_forms(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "the-book", "title": "خبر", "body": "قرأت الكتاب"},
            {"id": "diacritics", "title": "خبر", "body": "قرأت الكِتَابَ"},
            {"id": "his-book", "title": "خبر", "body": "قرأت كتابه"},
            {"id": "book", "title": "خبر", "body": "قرأت كتاب"},
            {"id": "and-the-book", "title": "خبر", "body": "قرأت والكتاب"},
        ]
    )
    assert ids(engine, "=الكتاب") == ids(engine, '"الكتاب"') == {"the-book", "diacritics"}
    assert ids(engine, "=كتابه") == {"his-book"}
    assert ids(engine, "الكتاب") == {"the-book", "diacritics", "his-book", "book", "and-the-book"}


def test_exact_form_ranks_above_stem_only_matches(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "his-book", "title": "خبر", "body": "قرأت كتابه"},
            {"id": "the-book", "title": "خبر", "body": "قرأت الكتاب"},
            {"id": "books", "title": "خبر", "body": "قرأت كتابها"},
        ]
    )
    for query, first in [("الكتاب", "the-book"), ("كتابه", "his-book"), ("كتابها", "books")]:
        result = engine.search(SearchRequest(q=query))
        assert result.total == 3
        assert result.hits[0].id == first, query
        assert result.hits[0].score > result.hits[1].score  # type: ignore[operator]


def test_excluded_word_removes_documents(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "beirut", "title": "خبر", "body": "مدرسة في بيروت"},
            {"id": "to-beirut", "title": "خبر", "body": "مدرسة انتقلت لبيروت"},
            {"id": "damascus", "title": "خبر", "body": "مدرسة في دمشق"},
            {"id": "title", "title": "بيروت", "body": "مدرسة"},
        ]
    )
    assert ids(engine, "مدرسة -بيروت") == {"damascus"}
    assert ids(engine, "مدرسة -=بيروت") == {"to-beirut", "damascus"}
    assert ids(engine, '-"في دمشق" مدرسة') == {"beirut", "to-beirut", "title"}


def test_or_and_its_arabic_spelling(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "beirut", "title": "خبر", "body": "مدرسة في بيروت"},
            {"id": "damascus", "title": "خبر", "body": "سوق في دمشق"},
            {"id": "both", "title": "خبر", "body": "مدرسة في دمشق"},
            {"id": "none", "title": "خبر", "body": "ملعب في عمان"},
        ]
    )
    assert ids(engine, "بيروت OR دمشق") == {"beirut", "damascus", "both"}
    assert (
        ids(engine, "بيروت أو دمشق")
        == ids(engine, "بيروت او دمشق")
        == {
            "beirut",
            "damascus",
            "both",
        }
    )
    both_groups = engine.search(SearchRequest(q="مدرسة دمشق OR بيروت"))
    ranked = [hit.id for hit in both_groups.hits]
    assert set(ranked[:2]) == {"beirut", "both"}  # every group first, then the rest
    assert ranked[2:] == ["damascus"] and not both_groups.partial


def test_title_field_searches_titles_only(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "title", "title": "نتائج الانتخابات", "body": "نص"},
            {"id": "body", "title": "خبر", "body": "نتائج الانتخابات"},
        ]
    )
    assert ids(engine, "title:الانتخابات") == ids(engine, "عنوان:انتخابات") == {"title"}
    assert ids(engine, "الانتخابات") == {"title", "body"}


def test_facet_values_in_the_query(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "sport", "title": "خبر", "body": "مباراة", "category": "رياضة"},
            {"id": "culture", "title": "خبر", "body": "مباراة", "category": ["ثقافة", "رياضة"]},
            {"id": "economy", "title": "خبر", "body": "مباراة", "category": "اقتصاد"},
            {"id": "source", "title": "خبر", "body": "نص", "source": "Al Arabiya"},
        ]
    )
    assert ids(engine, "category:رياضة") == {"sport", "culture"}
    assert ids(engine, "category:رياضه") == {"sport", "culture"}  # normalized
    assert ids(engine, "مباراة تصنيف:اقتصاد") == {"economy"}
    assert ids(engine, "category:ثقافة category:اقتصاد") == {"culture", "economy"}
    assert ids(engine, 'source:"al arabiya"') == {"source"}


def test_prefix_matches_words_starting_with_it(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "elections", "title": "خبر", "body": "انتخابات حرة"},
            {"id": "electoral", "title": "خبر", "body": "دائرة انتخابية"},
            {"id": "elected", "title": "خبر", "body": "انتخب النواب"},
            {"id": "test", "title": "خبر", "body": "اختبار صعب"},
        ]
    )
    assert ids(engine, "انتخاب*") == {"elections", "electoral"}
    assert ids(engine, "انتخ*") == {"elections", "electoral", "elected"}


def test_some_words_when_no_document_has_them_all(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "two", "title": "خبر", "body": "مدرسة قرب ملعب"},
            {"id": "school", "title": "خبر", "body": "مدرسة جديدة"},
            {"id": "market", "title": "خبر", "body": "سوق قديم"},
            {"id": "none", "title": "خبر", "body": "نهر طويل"},
        ]
    )
    partial = engine.search(SearchRequest(q="مدرسة ملعب سوق"))
    assert partial.partial is True
    assert {hit.id for hit in partial.hits} == {"two", "school", "market"}
    assert partial.hits[0].id == "two"  # more of the words first
    complete = engine.search(SearchRequest(q="مدرسة ملعب"))
    assert complete.partial is False and complete.hits[0].id == "two"
    assert engine.search(SearchRequest(q="نهر مطار")).partial is True
    assert engine.search(SearchRequest(q="مطار طائرة")).total == 0


# --- against brute force on real news ------------------------------------------------------


@cache
def views(index_dir: Path) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict]:
    """id -> stems of the title, id -> stems of title and body, id -> category values."""
    analyzer = stemmed_analyzer()
    titles, texts, categories = {}, {}, {}
    with open_index(index_dir).searcher() as searcher:
        for fields in searcher.all_stored_fields():
            title = frozenset(t.text for t in analyzer(fields.get("title") or ""))
            body = frozenset(t.text for t in analyzer(fields.get("body") or ""))
            titles[fields["id"]], texts[fields["id"]] = title, title | body
            categories[fields["id"]] = set((fields.get("category") or "").split(FACET_SEPARATOR))
    return titles, texts, categories


def having(stems: dict[str, frozenset[str]], word: str) -> set[str]:
    stem = terms_of(word)[1]
    return {doc_id for doc_id, found in stems.items() if stem in found}


SOME_WORDS_AFTER = {"الحكومة لبنان OR سوريا"}


def test_operators_match_brute_force(ant_engine: SearchEngine) -> None:
    titles, texts, categories = views(ant_engine.index_dir)
    economy = {doc_id for doc_id, values in categories.items() if "economy" in values}
    cases = {
        "الحكومة -لبنان": having(texts, "الحكومة") - having(texts, "لبنان"),
        "لبنان OR سوريا": having(texts, "لبنان") | having(texts, "سوريا"),
        "الحكومة لبنان OR سوريا": having(texts, "الحكومة")
        & (having(texts, "لبنان") | having(texts, "سوريا")),
        "title:ترامب": having(titles, "ترامب"),
        "الحكومة category:economy": having(texts, "الحكومة") & economy,
        "category:Economy": economy,
    }
    for query, expected in cases.items():
        result = ant_engine.search(SearchRequest(q=query, per_page=100))
        if query in SOME_WORDS_AFTER:  # documents with some of the words follow
            assert result.total > len(expected) > 0, query
            assert {hit.id for hit in result.hits[: len(expected)]} <= expected, query
            continue
        assert result.total == len(expected) > 0, query
        assert {hit.id for hit in result.hits} <= expected, query


@pytest.fixture(scope="module")
def everything(ant_engine: SearchEngine) -> Iterator[int]:
    yield ant_engine.doc_count()


@pytest.mark.parametrize("text", BROKEN)
def test_broken_syntax_still_returns_a_result(
    ant_engine: SearchEngine, everything: int, text: str
) -> None:
    for sort in ("relevance", "newest"):
        result = ant_engine.search(SearchRequest(q=text, sort=sort))
        assert 0 <= result.total <= everything and len(result.hits) <= 10
        json.dumps(result.as_dict())


@pytest.mark.parametrize("text", ["\ud800", "الحكومة\udfff"])
def test_results_of_lone_surrogates_encode_as_utf8(ant_engine: SearchEngine, text: str) -> None:
    result = ant_engine.search(SearchRequest(q=text))
    json.dumps(result.as_dict(), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "broken, plain",
    [
        ('"الحكومة', "الحكومة"),
        ("(الحكومة", "الحكومة"),
        ("الحكومة OR", "الحكومة"),
        ("OR الحكومة", "الحكومة"),
        ("الحكومة\x00", "الحكومة"),
        ("\ud800الحكومة", "الحكومة"),
        ("OR", ""),
        ("*", ""),
    ],
)
def test_broken_syntax_reads_as_plain_words(
    ant_engine: SearchEngine, broken: str, plain: str
) -> None:
    def summary(result: SearchResult) -> tuple[int, list[str]]:
        return result.total, [hit.id for hit in result.hits]

    assert summary(ant_engine.search(SearchRequest(q=broken))) == summary(
        ant_engine.search(SearchRequest(q=plain))
    )


def test_a_one_letter_prefix_is_capped(ant_engine: SearchEngine, everything: int) -> None:
    result = ant_engine.search(SearchRequest(q="ا*"))
    assert 0 < result.total < everything
