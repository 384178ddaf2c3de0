"""Tests for the ranking model (search/ranking.py, search/proximity.py) through real searches."""

from collections.abc import Callable

import numpy as np
import pytest

from search.analysis import explain, terms_of
from search.engine import SearchEngine, SearchRequest
from search.proximity import QueryWord, WordFinder, passage_weight
from search.ranking import bm25f

MakeEngine = Callable[[list[dict[str, str]]], SearchEngine]
FILLER = "كان هناك حديث طويل عن أمور كثيرة في المدينة والناس والطقس والأسواق "


def ids(engine: SearchEngine, query: str) -> list[str]:
    return [hit.id for hit in engine.search(SearchRequest(q=query, per_page=50)).hits]


def test_every_word_first_then_the_documents_with_some(make_engine: MakeEngine) -> None:
    """كم يبلغ طوله: a passage with طول and not يبلغ is still found, after those with both."""
    engine = make_engine(
        [
            {"id": "both", "title": "نهر", "body": "يبلغ طول النهر ألف كيلومتر"},
            {"id": "length", "title": "جسر", "body": "طول الجسر ثلاثة كيلومترات"},
            {"id": "none", "title": "سوق", "body": "سوق قديم في المدينة"},
        ]
    )
    result = engine.search(SearchRequest(q="كم يبلغ طوله"))
    assert [hit.id for hit in result.hits] == ["both", "length"]
    assert result.total == 2 and not result.partial


def test_a_word_found_nowhere_does_not_hide_the_others(make_engine: MakeEngine) -> None:
    r"""A literal \n typed before a word makes a token `n` that no document has."""
    engine = make_engine(
        [
            {"id": "river", "title": "نهر", "body": "طول النهر ألف كيلومتر"},
            {"id": "bridge", "title": "جسر", "body": "طول الجسر ثلاثة كيلومترات"},
        ]
    )
    assert ids(engine, r"طول\nالنهر") == ["river"]


def test_a_title_counts_with_the_body_before_saturation(make_engine: MakeEngine) -> None:
    """BM25F: a title naming the topic outweighs one passing mention in a body as long."""
    engine = make_engine(
        [
            {"id": "titled", "title": "جسر المدينة", "body": FILLER * 3},
            {"id": "mention", "title": "أخبار اليوم", "body": FILLER * 3 + "جسر"},
            *({"id": f"f{n}", "title": "أخبار", "body": FILLER * 3} for n in range(6)),
        ]
    )
    assert ids(engine, "جسر") == ["titled", "mention"]


def test_the_typed_form_breaks_ties_but_never_outweighs_a_rarer_word(
    make_engine: MakeEngine,
) -> None:
    """ويمتد الجسر: the rarer جسر, found only through its stem, beats the typed common يقع."""
    docs = [
        {"id": "stem", "title": "خبر", "body": "والجسر طويل جدا هنا"},
        {"id": "typed", "title": "خبر", "body": "يقع بعيد جدا هنا"},
        {"id": "typed-form", "title": "خبر", "body": "الجسر طويل جدا هنا"},
        *({"id": f"common{n}", "title": "خبر", "body": "يقع شيء آخر هناك"} for n in range(4)),
        {"id": "stem2", "title": "خبر", "body": "بالجسر شيء آخر هناك"},
        *({"id": f"other{n}", "title": "خبر", "body": "شيء آخر تماما هناك"} for n in range(12)),
    ]
    engine = make_engine(docs)
    ranked = ids(engine, "يقع الجسر")
    assert ranked.index("stem") < ranked.index("typed")
    assert ranked[0] == "typed-form"  # same counts as "stem": the typed form decides


def test_words_standing_together_rank_first(make_engine: MakeEngine) -> None:
    near = "انطلقت قناة سنتانا الرياضية في شهر مارس " + FILLER * 2
    far = "انطلقت قناة جديدة في شهر مارس " + FILLER * 2 + " وكانت سنتانا الرياضية"
    engine = make_engine(
        [
            {"id": "far", "title": "خبر", "body": far},
            {"id": "near", "title": "خبر", "body": near},
            *({"id": f"f{n}", "title": "خبر", "body": FILLER} for n in range(4)),
        ]
    )
    assert ids(engine, "متى انطلقت قناة سنتانا الرياضية")[:2] == ["near", "far"]


def forms_in(*texts: str) -> Callable[[str], list[str]]:
    """A stem's exact terms among the words of `texts`, as an index's derived tables give them."""
    words = {word for text in texts for word in text.split()}
    return lambda stem: sorted({terms_of(w)[0] for w in words if terms_of(w)[1] == stem})


def finder(query: str, weights: tuple[float, ...], indexed: str) -> WordFinder:
    """The WordFinder of `query`'s words, weighed `weights`, over an index holding `indexed`."""
    reports = explain(query)
    words = [QueryWord(r.stems, r.normalized, w) for r, w in zip(reports, weights, strict=True)]
    return WordFinder(words, forms_in(indexed))


def test_a_word_repeated_saturates_with_k1_one_and_a_half() -> None:
    """Three occurrences in a text of average length count 5/3 of one (k1 1.5; 1.2 gave 1.57)."""
    docnums = np.array([0, 1], dtype=np.int64)
    counts = np.array([1.0, 3.0], dtype=np.float32)
    _, scores = bm25f([(docnums, counts, 1.0)], lambda d: np.full(d.size, 100.0), 100.0, 1000)
    assert scores[1] / scores[0] == pytest.approx(5 / 3, rel=1e-5)


def test_best_window_counts_each_word_once() -> None:
    find = finder("قناة سنتانا", (1.0, 3.0), "قناة سنتانا والقناة")
    assert passage_weight("قناة قناة قناة", find, 5, 0.0) == 1.0
    assert passage_weight("قناة سنتانا", find, 5, 0.0) == 4.0
    assert passage_weight("والقناة كلمة كلمة كلمة كلمة كلمة سنتانا", find, 5, 0.0) == 3.0
    assert passage_weight("والقناة سَنْتانا", find, 5, 0.0) == 4.0  # by stem, and diacritics aside


def test_query_words_side_by_side_add_the_rarer_weight_once() -> None:
    """وزير الخارجية: the phrase itself (or its words reversed), not its words apart."""
    find = finder("وزير الخارجية", (1.0, 3.0), "وزير الخارجية ووزير")
    assert passage_weight("وزير الخارجية", find, 20, 0.5) == 4.5
    assert passage_weight("ووزير الخارجية ثم وزير الخارجية", find, 20, 0.5) == 4.5
    assert passage_weight("الخارجية وزير", find, 20, 0.5) == 4.5  # reversed (الجامعة تأسست)
    assert passage_weight("وزير في الخارجية", find, 20, 0.5) == 4.0  # a word between


def test_a_word_standing_for_two_query_words_is_the_first_of_them() -> None:
    """A scan in query order decides: المدرس is the second word's form and the first's stem, so
    it stands for the first."""
    words = [
        QueryWord(frozenset({"مدرس"}), "مدرس", 1.0),
        QueryWord(frozenset({"غير"}), "المدرس", 2.0),
        QueryWord(frozenset({"كتاب"}), "اخر", 4.0),
    ]
    text = "المدرس كلمة الكتاب قلم مدرس"
    find = WordFinder(words, forms_in(text))
    assert [find.by_form.get(w) for w in text.split()] == [0, None, 2, None, 0]
    assert passage_weight("المدرس كلمة الكتاب", find, 5, 0.0) == 5.0


def test_a_construct_phrase_in_the_query_order_ranks_first(make_engine: MakeEngine) -> None:
    """Same words, same lengths: the text that holds جامعة القاهرة as one phrase comes first."""
    engine = make_engine(
        [
            {"id": "apart", "title": "خبر", "body": "القاهرة افتتحت جامعة جديدة " + FILLER},
            {"id": "phrase", "title": "خبر", "body": "جامعة القاهرة افتتحت جديدة " + FILLER},
            *({"id": f"f{n}", "title": "خبر", "body": FILLER} for n in range(4)),
        ]
    )
    assert ids(engine, "متى تأسست جامعة القاهرة")[:2] == ["phrase", "apart"]


def test_a_broken_plural_finds_its_singular_after_itself(make_engine: MakeEngine) -> None:
    engine = make_engine(
        [
            {"id": "singular", "title": "خبر", "body": "افتتاح مدرسة في القرية"},
            {"id": "plural", "title": "خبر", "body": "افتتاح مدارس في القرية"},
            {"id": "teacher", "title": "خبر", "body": "وصول مدرس إلى القرية"},
        ]
    )
    assert ids(engine, "مدارس") == ["plural", "singular"]  # مدرس (teacher) is another word
    assert ids(engine, "مدرسة") == ["singular", "plural"]


def test_a_verb_finds_its_masdar_after_itself(make_engine: MakeEngine) -> None:
    """متى انتخب: the sentence that says "منذ انتخابه" answers it too, after the verb's own."""
    engine = make_engine(
        [
            {"id": "masdar", "title": "خبر", "body": "تغيرت المدينة منذ انتخابه رئيسا"},
            {"id": "verb", "title": "خبر", "body": "انتخب رئيسا للمدينة في الربيع"},
            {"id": "other", "title": "خبر", "body": "افتتاح مدرسة في القرية"},
        ]
    )
    assert ids(engine, "انتخب") == ["verb", "masdar"]
    assert ids(engine, "الانتخاب") == ["masdar", "verb"]
