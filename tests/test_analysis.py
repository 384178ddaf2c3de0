"""Tests for search.analysis: the Whoosh analyzers, explain(), and an index round trip."""

import json
import pickle
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path

import pytest
from conftest import SAMPLE
from whoosh.analysis import Analyzer
from whoosh.formats import Positions

from search.analysis import exact_analyzer, explain, stemmed_analyzer
from search.engine import SearchEngine, SearchRequest
from search.indexer import index_sources
from search.schema import WordPositions, build_schema

TEXT = "ذَهَبَ الطُّلَّابُ إِلَى المَدْرَسَةِ في الصَّبَاحِ"
WORDS = TEXT.split(" ")

Row = tuple[str, int, int, int]  # text, pos, startchar, endchar


def analyze(analyzer: Analyzer, text: str, **kwargs: object) -> list[Row]:
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True, **kwargs)
    ]


def span(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def test_stemmed_view() -> None:
    assert analyze(stemmed_analyzer(), TEXT) == [
        ("ذهب", 0, *span("ذَهَبَ")),
        ("طلاب", 1, *span("الطُّلَّابُ")),
        ("مدرسه", 3, *span("المَدْرَسَةِ")),  # the school: مدرسة, not مدرس (teacher)
        ("صباح", 5, *span("الصَّبَاحِ")),
    ]


def test_exact_view() -> None:
    assert analyze(exact_analyzer(), TEXT) == [
        ("ذهب", 0, *span("ذَهَبَ")),
        ("الطلاب", 1, *span("الطُّلَّابُ")),
        ("الي", 2, *span("إِلَى")),
        ("المدرسه", 3, *span("المَدْرَسَةِ")),
        ("في", 4, *span("في")),
        ("الصباح", 5, *span("الصَّبَاحِ")),
    ]


@pytest.mark.parametrize("make", [stemmed_analyzer, exact_analyzer])
def test_offsets_point_at_original_diacritized_words(make: Callable[[], Analyzer]) -> None:
    rows = analyze(make(), TEXT)
    assert rows
    for _, _, start, end in rows:
        assert TEXT[start:end] in WORDS


@pytest.mark.parametrize(
    ("text", "stemmed", "exact"),
    [
        ("الكتـــاب", ["كتاب"], ["الكتاب"]),
        ("ﺍﻟﻜﺘﺎﺏ", ["كتاب"], ["الكتاب"]),
        ("في بيروت", ["بيروت"], ["في", "بيروت"]),
        ("ولكن الوزير", ["وزير"], ["ولكن", "الوزير"]),  # ولكن → لكن, a stop word
        ("من هذا", [], ["من", "هذا"]),
        ("كتاب ً كتاب", ["كتاب", "كتاب"], ["كتاب", "كتاب"]),  # a lone mark is no token
        ("COVID19 و5G", ["covid19", "5g"], ["covid19", "و", "5g"]),
    ],
)
def test_stop_words_only_in_exact_view(text: str, stemmed: list[str], exact: list[str]) -> None:
    assert [t.text for t in stemmed_analyzer()(text)] == stemmed
    assert [t.text for t in exact_analyzer()(text)] == exact


def test_removestops_false_marks_stop_words() -> None:
    tokens = [
        (t.pos, t.stopped, t.startchar)
        for t in stemmed_analyzer()(TEXT, positions=True, chars=True, removestops=False)
    ]
    assert tokens == [
        (0, False, span("ذَهَبَ")[0]),
        (1, False, span("الطُّلَّابُ")[0]),
        (2, True, span("إِلَى")[0]),
        (3, False, span("المَدْرَسَةِ")[0]),
        (4, True, span("في")[0]),
        (5, False, span("الصَّبَاحِ")[0]),
    ]
    unstopped = [t.text for t in stemmed_analyzer()(TEXT, removestops=False) if not t.stopped]
    assert unstopped == ["ذهب", "طلاب", "مدرسه", "صباح"]


def test_exact_view_stops_nothing() -> None:
    assert not any(t.stopped for t in exact_analyzer()(TEXT, removestops=False))


def test_start_pos_and_start_char_shift_tokens() -> None:
    rows = analyze(stemmed_analyzer(), "كِتَابٌ الكتاب", start_pos=10, start_char=100)
    assert rows == [("كتاب", 10, 100, 107), ("كتاب", 11, 108, 114)]


def test_untokenized_value_is_one_term() -> None:
    assert [t.text for t in stemmed_analyzer()("والكتاب", tokenize=False)] == ["كتاب"]
    assert [t.text for t in exact_analyzer()("الكِتَاب", tokenize=False)] == ["الكتاب"]


@pytest.mark.parametrize("make", [stemmed_analyzer, exact_analyzer])
def test_pickle_round_trip(make: Callable[[], Analyzer]) -> None:
    analyzer = make()
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    assert analyze(restored, TEXT) == analyze(analyzer, TEXT)


def test_stemmed_and_exact_analyzers_differ() -> None:
    assert stemmed_analyzer() != exact_analyzer()
    assert stemmed_analyzer() == stemmed_analyzer()


def test_explain() -> None:
    reports = explain(TEXT)
    assert [(r.token, r.start, r.end, r.normalized, r.stem) for r in reports] == [
        ("ذَهَبَ", *span("ذَهَبَ"), "ذهب", "ذهب"),
        ("الطُّلَّابُ", *span("الطُّلَّابُ"), "الطلاب", "طلاب"),
        ("إِلَى", *span("إِلَى"), "الي", None),
        ("المَدْرَسَةِ", *span("المَدْرَسَةِ"), "المدرسه", "مدرسه"),
        ("في", *span("في"), "في", None),
        ("الصَّبَاحِ", *span("الصَّبَاحِ"), "الصباح", "صباح"),
    ]
    for report in reports:
        assert TEXT[report.start : report.end] == report.token


def test_explain_says_what_was_protected_and_expanded() -> None:
    places, colours, name, school = explain("الأماكن ألوان آن مدرسة")
    assert (places.stem, places.kept_from) == ("اماكن", "اما")
    assert places.notes() == "not the stop word اما"
    assert (colours.stem, colours.kept_from, colours.plurals) == ("الوان", "وان", ("لون",))
    assert (name.stem, name.kept_from) == ("ان", "ان")
    assert (school.kept_from, school.plurals) == (None, ("مدارس",))
    assert school.notes() == "also searched: مدارس"
    assert school.as_dict()["plurals"] == ["مدارس"]


def test_explain_says_a_verb_was_expanded_with_its_forms_and_masdar() -> None:
    won, objection = explain("فازوا الاعتراض")
    assert won.derived == ("فاز", "فازت")  # they won: he won, she won
    assert won.notes() == "verb forms and masdar also searched: فاز، فازت"
    assert won.stems == {"فازوا", "فاز", "فازت"}
    assert {"اعترض", "يعترض"} <= set(objection.derived)  # the objection: he objected
    assert objection.as_dict()["derived"] == list(objection.derived)


def test_explain_as_dict_and_stem_stop_words() -> None:
    stop, word, *_ = explain("ولكن الكتاب ً")
    assert stop.as_dict() == {
        "token": "ولكن",
        "start": 0,
        "end": 4,
        "normalized": "ولكن",
        "stem": None,  # و + لكن: a stop word with a conjunction
        "stopword": True,
        "kept_from_stopword": None,
        "plurals": [],
        "derived": [],
    }
    assert word.as_dict()["stem"] == "كتاب"
    assert word.as_dict()["stopword"] is False
    assert len(explain("ولكن الكتاب ً")) == 2  # the lone mark is dropped


KITAB_DOCS = ["الكتاب", "والكتاب", "بالكتاب", "كِتَابٌ", "الكتـــاب", "كتابه"]
OTHER_DOCS = ["زير", "بنان"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    """The documents indexed for real and read back through the engine."""
    directory: Path = tmp_path_factory.mktemp("index")
    source = directory / "docs.jsonl"
    rows = [{"id": str(n), "body": body} for n, body in enumerate(KITAB_DOCS + OTHER_DOCS)]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    index_sources([source], directory / "ix")
    engine = SearchEngine(directory / "ix")
    yield engine
    engine.close()


def bodies(engine: SearchEngine, query: str) -> set[str]:
    result = engine.search(SearchRequest(q=query, per_page=100))
    return {engine.document(hit.id).body for hit in result.hits}  # type: ignore[union-attr]


def test_index_finds_every_form_of_kitab(engine: SearchEngine) -> None:
    assert bodies(engine, "كتاب") == {escape(body) for body in KITAB_DOCS}


@pytest.mark.parametrize(("query", "absent"), [("وزير", "زير"), ("لبنان", "بنان")])
def test_index_never_matches_lookalike(engine: SearchEngine, query: str, absent: str) -> None:
    assert absent not in bodies(engine, query)
    assert bodies(engine, absent) == {absent}  # the document is there, under its own stem


def test_index_exact_view_keeps_forms_apart(engine: SearchEngine) -> None:
    assert bodies(engine, "=والكتاب") == {"والكتاب"}


@pytest.mark.parametrize("make", [exact_analyzer, stemmed_analyzer])
def test_word_positions_writes_what_whoosh_positions_writes(make: Callable[[], Analyzer]) -> None:
    """The schema's faster format (terms and positions straight from the analyzer, a word seen
    once reusing its position's encoding) gives Whoosh's postings, value for value."""
    analyzer, ours, whoosh = make(), WordPositions(), Positions()
    texts = [json.loads(line)["body"] for line in SAMPLE.read_text("utf-8").splitlines()]
    texts += ["", "ــــ ً", "في في البيت، في البيت الكبير في", " ".join(["كتاب"] * 70_000) + " قلم"]
    for text in texts:
        assert list(ours.word_values(text, analyzer)) == list(whoosh.word_values(text, analyzer))
    assert isinstance(build_schema()["body"].format, WordPositions)
