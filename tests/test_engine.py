"""SearchEngine end to end: matching, facet counts, sorting, dates, paging, updates, suggestions.

Facet counts and totals are checked against a brute-force count over every stored document.
"""

import json
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from conftest import Records, build_index, write_jsonl

from search.analysis import stemmed_analyzer, terms_of
from search.dates import parse_date_bound
from search.derivations import derived_forms
from search.engine import SearchEngine, SearchRequest, SearchResult
from search.errors import QueryError
from search.facets import ALL_FACETS
from search.normalize import normalize, strip_marks
from search.plurals import number_forms
from search.schema import FACET_FIELDS, FACET_SEPARATOR
from search.stemmer import strip_article
from search.store import open_index
from search.tokenize import TOKEN_PATTERN

MakeEngine = Callable[[Records], SearchEngine]
ALL = 10**6  # facet_limit that shows every value


# --- brute force ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDoc:
    id: str
    title: str
    stems: frozenset[str]
    date: datetime | None
    values: dict[str, frozenset[str]]  # facet -> values, year and month included


@cache
def stored_docs(index_dir: Path) -> tuple[StoredDoc, ...]:
    """Every live document of the index, analyzed here from its stored title and body."""
    analyzer = stemmed_analyzer()
    docs = []
    with open_index(index_dir).searcher() as searcher:
        for fields in searcher.all_stored_fields():
            text = f"{fields.get('title') or ''}\n{fields.get('body') or ''}"
            date = fields.get("date")
            values = {
                name: frozenset(fields[name].split(FACET_SEPARATOR) if fields.get(name) else ())
                for name in FACET_FIELDS
            }
            values["year"] = frozenset([f"{date:%Y}"] if date else [])
            values["month"] = frozenset([f"{date:%Y-%m}"] if date else [])
            stems = frozenset(token.text for token in analyzer(text))
            docs.append(StoredDoc(fields["id"], fields.get("title") or "", stems, date, values))
    return tuple(docs)


@dataclass
class Expected:
    ids: set[str]
    facets: dict[str, dict[str, int]]


def brute_force(
    docs: tuple[StoredDoc, ...],
    word: str = "",
    selections: dict[str, list[str]] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> Expected:
    """Matches of a one-word query (by stem) and disjunctive facet counts, the slow way."""
    selections = selections or {}
    stem = terms_of(word)[1] if word else None
    # its broken plurals and its verb's or masdar's forms are searched too
    stems = {stem, *number_forms(stem), *derived_forms(stem)} if stem else set()
    low = parse_date_bound(date_from, end=False) if date_from else None
    high = parse_date_bound(date_to, end=True) if date_to else None
    base = [
        d
        for d in docs
        if (stem is None or stems & d.stems)
        and (low is None or (d.date is not None and d.date >= low))
        and (high is None or (d.date is not None and d.date <= high))
    ]

    def selected(doc: StoredDoc, skip: str | None = None) -> bool:
        return all(doc.values[f] & set(v) for f, v in selections.items() if f != skip)

    facets = {
        name: dict(Counter(v for d in base if selected(d, skip=name) for v in d.values[name]))
        for name in ALL_FACETS
    }
    return Expected({d.id for d in base if selected(d)}, facets)


def counts(result: SearchResult) -> dict[str, dict[str, int]]:
    return {
        name: {v.value: v.count for v in facet.values if v.count}
        for name, facet in result.facets.items()
    }


def all_ids(engine: SearchEngine, per_page: int = 100, **request: object) -> list[str]:
    """Every hit id, page after page."""
    ids: list[str] = []
    for page in range(1, 1000):
        result = engine.search(SearchRequest(per_page=per_page, page=page, **request))  # type: ignore[arg-type]
        ids += [hit.id for hit in result.hits]
        if page >= result.pages:
            break
    return ids


def top_values(engine: SearchEngine, facet: str, count: int) -> list[str]:
    values = engine.search(SearchRequest(facet_limit=count)).facets[facet].values
    assert len(values) == count, f"the index has fewer than {count} {facet} values"
    return [v.value for v in values]


# --- round trip ------------------------------------------------------------------------------

ROUND_TRIP: Records = [
    {"id": "the-book", "title": "خبر", "body": "قرأت الكتاب أمس"},
    {"id": "and-the-book", "title": "خبر", "body": "اشترى القلم والكتاب معا"},
    {"id": "with-the-book", "title": "خبر", "body": "مررت بالكتاب سريعا"},
    {"id": "diacritics", "title": "خبر", "body": "هذا كِتَابٌ جميل"},
    {"id": "tatweel", "title": "خبر", "body": "الكتـــاب مفيد"},
    {"id": "his-book", "title": "خبر", "body": "قرأ كتابه كله"},
    {"id": "title-only", "title": "كتاب جديد", "body": "نص"},
    {"id": "office", "title": "خبر", "body": "مكتب كاتب ومكتبة"},
    {"id": "minister", "title": "خبر", "body": "زار الوزير المدينة"},
    {"id": "and-minister", "title": "خبر", "body": "اجتمع رئيس الحكومة ووزير المالية"},
    {"id": "zir", "title": "خبر", "body": "انكسر زير الماء"},
    {"id": "lebanon", "title": "خبر", "body": "زار لبنان وفد"},
    {"id": "in-lebanon", "title": "خبر", "body": "المطر في جبال لبنان"},
    {"id": "fingertips", "title": "خبر", "body": "أشار بطرف البنان"},
    {"id": "banan", "title": "خبر", "body": "خضب بنان يده بالحناء"},
]


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    folder = tmp_path_factory.mktemp("round_trip")
    build_index([write_jsonl(folder / "docs.jsonl", ROUND_TRIP)], folder / "ix")
    engine = SearchEngine(folder / "ix")
    yield engine
    engine.close()


BOOK = {"the-book", "and-the-book", "with-the-book", "diacritics", "tatweel", "his-book"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("كتاب", BOOK | {"title-only"}),
        ("الكتاب", BOOK | {"title-only"}),  # typed with the article
        ("كِتَابٌ", BOOK | {"title-only"}),  # typed with diacritics
        ("وزير", {"minister", "and-minister"}),
        ("الوزير", {"minister", "and-minister"}),
        ("زير", {"zir"}),
        ("لبنان", {"lebanon", "in-lebanon"}),
        ("بنان", {"fingertips", "banan"}),
    ],
)
def test_round_trip(round_trip: SearchEngine, query: str, expected: set[str]) -> None:
    result = round_trip.search(SearchRequest(q=query, per_page=100))
    assert {hit.id for hit in result.hits} == expected
    assert result.total == len(expected) and not result.partial


# --- facets and totals against brute force -----------------------------------------------

WORDS = {"ant": ["الحكومة", "مباراة"], "sample": ["وزير", "الحكومة"]}


@pytest.fixture(params=["ant", "sample"])
def corpus(request: pytest.FixtureRequest) -> tuple[str, SearchEngine, tuple[StoredDoc, ...]]:
    engine: SearchEngine = request.getfixturevalue(f"{request.param}_engine")
    return request.param, engine, stored_docs(engine.index_dir)


def selection_cases(name: str, engine: SearchEngine) -> list[tuple[str, dict[str, list[str]]]]:
    word, other = WORDS[name]
    c1, c2 = top_values(engine, "category", 2)
    s1, s2 = top_values(engine, "source", 2)
    (y1,) = top_values(engine, "year", 1)
    (a1,) = top_values(engine, "author", 1)
    return [
        ("", {}),
        (word, {}),
        (word, {"category": [c1]}),
        (word, {"category": [c1, c2]}),
        (word, {"category": [c1, c2], "source": [s1]}),
        ("", {"source": [s1, s2], "year": [y1]}),
        (other, {"author": [a1], "category": [c2]}),
        ("", {"category": [c1, "no such category"]}),
    ]


def test_facet_counts_and_totals_match_brute_force(
    corpus: tuple[str, SearchEngine, tuple[StoredDoc, ...]],
) -> None:
    name, engine, docs = corpus
    for word, selections in selection_cases(name, engine):
        result = engine.search(SearchRequest(q=word, filters=selections, facet_limit=ALL))
        expected = brute_force(docs, word, selections)
        assert result.total == len(expected.ids), (word, selections)
        assert counts(result) == expected.facets, (word, selections)
        for facet, values in selections.items():
            shown = {v.value for v in result.facets[facet].values if v.selected}
            assert shown == set(values)  # selected values are always listed, even at 0


def test_facet_counts_with_a_date_range_match_brute_force(ant_engine: SearchEngine) -> None:
    docs = stored_docs(ant_engine.index_dir)
    (source,) = top_values(ant_engine, "source", 1)
    for word in ("", "الحكومة"):
        request = SearchRequest(
            q=word,
            filters={"source": [source]},
            date_from="2018-03",
            date_to="2018-04",
            facet_limit=ALL,
        )
        result = ant_engine.search(request)
        expected = brute_force(docs, word, {"source": [source]}, "2018-03", "2018-04")
        assert result.total == len(expected.ids) > 0
        assert counts(result) == expected.facets


def test_a_facets_own_selection_does_not_shrink_its_counts(
    corpus: tuple[str, SearchEngine, tuple[StoredDoc, ...]],
) -> None:
    name, engine, _ = corpus
    word = WORDS[name][0]
    c1, c2 = top_values(engine, "category", 2)
    plain = engine.search(SearchRequest(q=word, facet_limit=ALL))
    one = engine.search(SearchRequest(q=word, filters={"category": [c1]}, facet_limit=ALL))
    two = engine.search(SearchRequest(q=word, filters={"category": [c1, c2]}, facet_limit=ALL))
    assert counts(one)["category"] == counts(two)["category"] == counts(plain)["category"]
    assert one.total == counts(plain)["category"].get(c1, 0)
    assert two.total <= one.total + counts(plain)["category"].get(c2, 0)
    assert one.total < plain.total  # the selection did filter the hits...
    assert counts(one)["source"] != counts(plain)["source"]  # ...and the other facets


@pytest.mark.parametrize(
    "word", ["الحكومة", "والحكومة", "مباراة", "النفط", "ترامب", "لبنان", "كتاب", "الهاتف"]
)
def test_total_and_hits_of_a_word_match_brute_force(ant_engine: SearchEngine, word: str) -> None:
    expected = brute_force(stored_docs(ant_engine.index_dir), word).ids
    result = ant_engine.search(SearchRequest(q=word, per_page=100))
    assert result.total == len(expected) > 0 and not result.partial
    assert {hit.id for hit in result.hits} <= expected
    assert len(result.hits) == min(100, len(expected))
    scores = [hit.score for hit in result.hits]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_every_page_of_a_word_holds_only_matches(ant_engine: SearchEngine) -> None:
    expected = brute_force(stored_docs(ant_engine.index_dir), "الحكومة").ids
    assert set(all_ids(ant_engine, q="الحكومة")) <= expected


def test_facet_limit_shows_the_most_frequent_values(ant_engine: SearchEngine) -> None:
    expected = brute_force(stored_docs(ant_engine.index_dir), "الحكومة").facets["author"]
    result = ant_engine.search(SearchRequest(q="الحكومة", facet_limit=3))
    shown = result.facets["author"]
    assert len(shown.values) == 3 and shown.truncated == (len(expected) > 3)
    top = sorted(expected.values(), reverse=True)[:3]
    assert [v.count for v in shown.values] == top
    assert all(expected[v.value] == v.count for v in shown.values)


def test_stats_match_brute_force(sample_engine: SearchEngine) -> None:
    docs = stored_docs(sample_engine.index_dir)
    stats = sample_engine.stats()
    expected = brute_force(docs).facets
    assert stats["documents"] == len(docs) == 60
    for name, values in stats["facets"].items():  # type: ignore[union-attr]
        assert values == expected[name], name
    dates = [d.date for d in docs if d.date]
    assert stats["date_min"] == min(dates).isoformat()
    assert stats["date_max"] == max(dates).isoformat()


# --- sorting, dates, paging ---------------------------------------------------------------


@pytest.mark.parametrize("word", ["", "الحكومة"])
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorting_by_date(ant_engine: SearchEngine, word: str, sort: str) -> None:
    docs = {d.id: d for d in stored_docs(ant_engine.index_dir)}
    expected = brute_force(tuple(docs.values()), word).ids
    result = ant_engine.search(SearchRequest(q=word, sort=sort, per_page=100))
    dates = [docs[hit.id].date for hit in result.hits]
    assert [hit.date for hit in result.hits] == [d.isoformat() for d in dates]  # type: ignore[union-attr]
    everything = sorted((docs[i].date for i in expected), reverse=sort == "newest")  # type: ignore[type-var]
    assert dates == everything[:100]
    assert result.sort == sort


def test_undated_documents_sort_last_and_fall_outside_date_ranges(
    make_engine: MakeEngine,
) -> None:
    engine = make_engine(
        [
            {"id": "none", "title": "خبر", "body": "نص"},
            {"id": "old", "title": "خبر", "body": "نص", "date": "2001-01-01"},
            {"id": "new", "title": "خبر", "body": "نص", "date": "2020-01-01"},
        ]
    )
    for sort, order in [("newest", ["new", "old", "none"]), ("oldest", ["old", "new", "none"])]:
        assert [h.id for h in engine.search(SearchRequest(q="خبر", sort=sort)).hits] == order
    dated = engine.search(SearchRequest(q="خبر", date_from="2000", facet_limit=ALL))
    assert dated.total == 2 and counts(dated)["year"] == {"2001": 1, "2020": 1}


def test_empty_query_lists_everything_newest_first(sample_engine: SearchEngine) -> None:
    result = sample_engine.search(SearchRequest(per_page=100))
    assert result.total == 60 and result.sort == "newest"
    dates = [hit.date for hit in result.hits]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]


BOUNDARIES: Records = [
    {"id": "2017-end", "title": "خبر", "body": "نص", "date": "2017-12-31T23:59:59"},
    {"id": "2018-start", "title": "خبر", "body": "نص", "date": "2018-01-01T00:00:00"},
    {"id": "2018-mid", "title": "خبر", "body": "نص", "date": "2018-06-15T12:00:00"},
    {"id": "2018-end", "title": "خبر", "body": "نص", "date": "2018-12-31T23:59:59"},
    {"id": "2019-start", "title": "خبر", "body": "نص", "date": "2019-01-01T00:00:00"},
]


@pytest.mark.parametrize(
    "date_from, date_to, expected",
    [
        ("2018", "2018", {"2018-start", "2018-mid", "2018-end"}),
        (None, "2018", {"2017-end", "2018-start", "2018-mid", "2018-end"}),
        ("2018", None, {"2018-start", "2018-mid", "2018-end", "2019-start"}),
        ("2018-12-31", "2018-12-31", {"2018-end"}),
        ("2018-06", "2018-12", {"2018-mid", "2018-end"}),
        ("٢٠١٩", None, {"2019-start"}),
        ("2017-12-31", "2018-01-01", {"2017-end", "2018-start"}),
    ],
)
def test_date_range_is_inclusive(
    make_engine: MakeEngine, date_from: str | None, date_to: str | None, expected: set[str]
) -> None:
    engine = make_engine(BOUNDARIES)
    for word in ("", "خبر"):
        result = engine.search(
            SearchRequest(q=word, date_from=date_from, date_to=date_to, per_page=100)
        )
        assert {hit.id for hit in result.hits} == expected
        assert result.total == len(expected)


def test_date_range_matches_brute_force(ant_engine: SearchEngine) -> None:
    docs = stored_docs(ant_engine.index_dir)
    expected = brute_force(docs, "الحكومة", date_from="2018-03", date_to="2018-04").ids
    result = ant_engine.search(
        SearchRequest(q="الحكومة", date_from="2018-03", date_to="2018-04", per_page=100)
    )
    assert result.total == len(expected) > 0
    assert {hit.id for hit in result.hits} <= expected


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_pages_continue_without_overlap(ant_engine: SearchEngine, sort: str) -> None:
    word, per_page = "الحكومة", 7
    first = ant_engine.search(SearchRequest(q=word, sort=sort, per_page=per_page))
    second = ant_engine.search(SearchRequest(q=word, sort=sort, per_page=per_page, page=2))
    both = ant_engine.search(SearchRequest(q=word, sort=sort, per_page=2 * per_page))
    assert [h.id for h in first.hits + second.hits] == [h.id for h in both.hits]
    assert first.pages == math.ceil(first.total / per_page) and second.page == 2
    last = ant_engine.search(SearchRequest(q=word, sort=sort, per_page=per_page, page=first.pages))
    assert len(last.hits) == first.total - (first.pages - 1) * per_page


@pytest.fixture(scope="module")
def ties(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    """300 matches sharing four scores and three dates: ties everywhere."""
    folder = tmp_path_factory.mktemp("ties")
    items = [
        {
            "id": f"t{i:03d}",
            "title": "خبر",
            "body": "مدرسة جديدة" + " كلمة" * (i % 4),
            "date": f"2020-01-{1 + i % 3:02d}",
        }
        for i in range(300)
    ]
    build_index([write_jsonl(folder / "ties.jsonl", items)], folder / "ix")
    engine = SearchEngine(folder / "ix")
    yield engine
    engine.close()


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_paging_through_ties_shows_every_match_once(ties: SearchEngine, sort: str) -> None:
    ids = all_ids(ties, per_page=10, q="مدرسة", sort=sort)
    assert len(ids) == 300 and len(set(ids)) == 300


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(sort="random"),
        SearchRequest(page=0),
        SearchRequest(per_page=0),
        SearchRequest(per_page=101),
        SearchRequest(page=500, per_page=10),
        SearchRequest(filters={"colour": ["red"]}),
        SearchRequest(date_from="not a date"),
    ],
)
def test_invalid_parameters_raise_query_error(
    sample_engine: SearchEngine, request_: SearchRequest
) -> None:
    with pytest.raises(QueryError):
        sample_engine.search(request_)


# --- updates without restart ----------------------------------------------------------------


def news(count: int) -> Records:
    return [
        {
            "id": f"n{i}",
            "title": f"خبر رقم {i}",
            "body": "افتتاح مدرسة جديدة في الحي" if i < 4 else "أسعار سوق الخضار",
            "category": "تعليم" if i < 4 else "اقتصاد",
        }
        for i in range(count)
    ]


@pytest.mark.parametrize("answers_kept", [0, 100])  # answers kept are never from before a commit
def test_updates_show_up_without_a_restart(tmp_path: Path, answers_kept: int) -> None:
    items = news(6)
    source = write_jsonl(tmp_path / "news.jsonl", items)
    index_dir = tmp_path / "ix"
    build_index([source], index_dir)
    engine = SearchEngine(index_dir, answers_kept=answers_kept)
    try:

        def look(q: str) -> tuple[int, set[str], dict[str, int]]:
            result = engine.search(SearchRequest(q=q, per_page=100, facet_limit=ALL))
            return result.total, {h.id for h in result.hits}, counts(result)["category"]

        assert look("مدرسة") == (4, {"n0", "n1", "n2", "n3"}, {"تعليم": 4})

        items[0] |= {"body": "ملعب كرة القدم", "category": "رياضة"}  # update
        items.append({"id": "n9", "title": "مدرسة أخرى", "body": "مدرسة", "category": "تعليم"})
        write_jsonl(source, items)
        assert build_index([source], index_dir).changed == 2
        assert look("مدرسة") == (4, {"n1", "n2", "n3", "n9"}, {"تعليم": 4})
        assert look("ملعب") == (1, {"n0"}, {"رياضة": 1})
        assert look("")[2] == {"تعليم": 4, "اقتصاد": 2, "رياضة": 1}

        write_jsonl(source, items[2:])  # n0 and n1 gone
        assert build_index([source], index_dir, prune=True).deleted == 2
        assert look("مدرسة") == (3, {"n2", "n3", "n9"}, {"تعليم": 3})
        assert look("ملعب") == (0, set(), {})
        assert look("")[0] == engine.doc_count() == engine.stats()["documents"] == 5
        assert engine.document("n0") is None and engine.document("n2") is not None
        assert "خبر رقم 1" not in engine.suggest("خبر رقم", limit=50)
    finally:
        engine.close()


@pytest.mark.parametrize("answers_kept", [0, 100])
def test_a_rebuild_shows_up_without_a_restart(tmp_path: Path, answers_kept: int) -> None:
    source = write_jsonl(tmp_path / "news.jsonl", news(5))
    index_dir = tmp_path / "ix"
    build_index([source], index_dir)
    engine = SearchEngine(index_dir, answers_kept=answers_kept)
    try:
        assert engine.search(SearchRequest(q="مدرسة")).total == 4
        write_jsonl(source, [{"id": "x", "title": "ملعب", "body": "ملعب جديد"}])
        build_index([source], index_dir, rebuild=True)
        assert engine.search(SearchRequest(q="ملعب")).total == 1
        assert engine.search(SearchRequest(q="مدرسة")).total == 0
    finally:
        engine.close()


# --- suggestions --------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["الحك", "حك", "مبار", "اقتص", "ترا", "وزي"])
def test_suggest_completes_from_titles(ant_engine: SearchEngine, prefix: str) -> None:
    docs = stored_docs(ant_engine.index_dir)
    titles = [strip_marks(d.title) for d in docs]
    wanted = normalize(prefix)
    suggestions = ant_engine.suggest(prefix, limit=8)
    assert 0 < len(suggestions) <= 8 and len(set(suggestions)) == len(suggestions)
    for suggestion in suggestions:
        first = normalize(suggestion.split()[0])
        assert first.startswith(wanted) or strip_article(first).startswith(wanted), suggestion
        assert any(suggestion in title for title in titles), suggestion
    frequency = Counter(
        normalize(strip_marks(m.group())) for t in titles for m in TOKEN_PATTERN.finditer(t)
    )
    best = max((w for w in frequency if w.startswith(wanted)), key=frequency.__getitem__)
    shown = {normalize(s) for s in suggestions}
    assert best in shown | {strip_article(s) for s in shown}  # the most frequent completion


def test_suggest_ignores_words_found_only_in_bodies(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [{"id": f"d{i}", "title": "مدرسة القرية", "body": "مدرج مدرار مدرسة"} for i in range(3)]
    )
    assert engine.suggest("مدر") == ["مدرسة", "مدرسة القرية"]
    assert engine.suggest("مدرسة الق") == ["مدرسة القرية"]
    assert engine.suggest("القر") == ["القرية"]
    assert engine.suggest("") == [] and engine.suggest("zzz") == []


def test_did_you_mean(make_engine: MakeEngine) -> None:
    schools = [{"id": f"s{i}", "title": f"خبر {i}", "body": "افتتاح مدرسة جديدة"} for i in range(4)]
    engine = make_engine([*schools, {"id": "other", "title": "خبر", "body": "سوق"}])
    misspelt = engine.search(SearchRequest(q="مدرصة", typos=False))
    assert misspelt.total == 0
    assert misspelt.suggestion is not None and "مدرسة" in misspelt.suggestion
    assert engine.search(SearchRequest(q=misspelt.suggestion)).total == 4
    assert engine.search(SearchRequest(q="مدرسة")).suggestion is None


def test_did_you_mean_on_real_news(ant_engine: SearchEngine) -> None:
    result = ant_engine.search(SearchRequest(q="الانتخابت", typos=False))
    assert result.total == 0 and result.suggestion == "الانتخابات"
    assert ant_engine.search(SearchRequest(q=result.suggestion)).total > 0


def test_result_as_dict_is_json(round_trip: SearchEngine) -> None:
    result = round_trip.search(SearchRequest(q="كتاب لبنان"))
    assert result.partial is True
    assert json.loads(json.dumps(result.as_dict()))["partial"] is True


def test_an_index_without_documents_answers_every_kind_of_search(tmp_path: Path) -> None:
    """Every record of the first run was bad: the index exists with no segment at all."""
    source = write_jsonl(tmp_path / "bad.jsonl", [{"id": "x"}])
    build_index([source], tmp_path / "ix")
    engine = SearchEngine(tmp_path / "ix")
    try:
        for q in ("كتاب", '"معرض الكتاب"', "كتا*", "=الكتاب", ""):
            assert engine.search(SearchRequest(q=q)).total == 0
        assert engine.suggest("كت") == [] and engine.stats()["documents"] == 0
    finally:
        engine.close()
