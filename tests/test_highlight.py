"""Highlighting: whole original words marked, everything else escaped, fragments as asked."""

import html
import re
from collections.abc import Callable

import pytest
from conftest import Records

from search.analysis import terms_of
from search.engine import SearchEngine, SearchRequest
from search.highlight import ELLIPSIS, MatchTerms, highlight_all, match_spans, snippet, terms_for
from search.query import parse_query

MakeEngine = Callable[[Records], SearchEngine]
MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


def words(*typed: str) -> MatchTerms:
    """What a plain-word query for `typed` matches: each word's stem and normalized form."""
    stems = {terms_of(w)[1] for w in typed} - {None}
    return MatchTerms(frozenset(stems), frozenset(terms_of(w)[0] for w in typed))  # type: ignore[arg-type]


def marked(output: str) -> list[str]:
    return [html.unescape(m) for m in MARK.findall(output)]


def plain(output: str) -> str:
    """The text shown to the reader: marks removed, entities decoded."""
    return html.unescape(output.replace("<mark>", "").replace("</mark>", ""))


def only_mark_tags(output: str) -> bool:
    return "<" not in MARK.sub(lambda m: m.group(1), output) and ">" not in MARK.sub(
        lambda m: m.group(1), output
    )


@pytest.mark.parametrize(
    "word", ["الكتاب", "والكتاب", "بالكتاب", "بِالْكِتَابِ", "كِتَابٌ", "الكتـــاب", "كتابه", "وَلِلْكِتَابِ"]
)
def test_whole_original_word_is_marked(word: str) -> None:
    text = f"قال الوزير إن {word}، كما يقول مكتب النشر، مهم."
    output = highlight_all(text, words("كتاب"))
    assert marked(output) == [word]
    assert plain(output) == text


@pytest.mark.parametrize(
    "query, text, expected",
    [
        ("زير", "الوزير ووزير المالية وزير زير الماء", ["زير"]),
        ("وزير", "زير الماء عند الوزير", ["الوزير"]),
        ("بنان", "لبنان ولبنان بنان", ["بنان"]),
        ("لبنان", "بنان اليد في لبنان", ["لبنان"]),
    ],
)
def test_other_words_sharing_letters_are_not_marked(
    query: str, text: str, expected: list[str]
) -> None:
    assert marked(highlight_all(text, words(query))) == expected


def test_exact_terms_mark_only_that_form() -> None:
    exact = MatchTerms(exact=frozenset({terms_of("الكتاب")[0]}))
    assert marked(highlight_all("الكِتَاب وكتابه وكتاب والكتاب", exact)) == ["الكِتَاب"]


def test_prefix_terms_mark_words_starting_with_it() -> None:
    prefix = MatchTerms(prefixes=(terms_of("انتخاب")[0],))
    assert marked(highlight_all("انتخابات انتخب انتخابية اختبار", prefix)) == [
        "انتخابات",
        "انتخابية",
    ]


HOSTILE = (
    "كتاب <script>alert(1)</script> و<b>الكتاب</b> & \"اقتباس\" 'x' "
    "<img src=x onerror=alert(1)> </mark><mark>كتابه"
)


def test_markup_in_the_text_is_escaped() -> None:
    output = highlight_all(HOSTILE, words("كتاب"))
    assert only_mark_tags(output)
    assert plain(output) == HOSTILE
    assert marked(output) == ["كتاب", "الكتاب", "كتابه"]
    assert "<script>" not in output and "&lt;script&gt;" in output


def test_snippet_escapes_too() -> None:
    output = snippet(HOSTILE * 5, words("كتاب"), fragments=2, size=60)
    assert only_mark_tags(output) and "<script>" not in output
    assert set(marked(output)) <= {"كتاب", "الكتاب", "كتابه"} and marked(output)


def filler(count: int) -> list[str]:
    return [f"كلمة{'ا' * (i % 5)}" for i in range(count)]


def fragments_of(output: str) -> list[str]:
    return [part.strip() for part in plain(output).split(ELLIPSIS) if part.strip()]


@pytest.mark.parametrize("count, size", [(1, 60), (2, 60), (3, 40), (2, 200)])
def test_snippet_respects_fragment_count_and_size(count: int, size: int) -> None:
    text = " ".join(
        [*filler(80), "الكتاب", *filler(80), "بالكتاب", *filler(80), "كتابه", *filler(80)]
    )
    output = snippet(text, words("كتاب"), fragments=count, size=size)
    parts = fragments_of(output)
    assert 1 <= len(parts) <= count
    longest = max(len(w) for w in text.split())
    for part in parts:
        assert part in text and len(part) <= size + 2 * longest
        assert MARK.search(output)
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions)  # in text order
    assert len(marked(output)) == min(count, 3)  # each fragment around a different match


def test_snippet_without_a_match_is_the_opening_of_the_text() -> None:
    text = " ".join(filler(200))
    output = snippet(text, words("مدرسة"), fragments=2, size=80)
    assert not MARK.search(output)
    assert output.endswith(ELLIPSIS)
    assert text.startswith(output[: -len(ELLIPSIS)]) and len(output) <= 80 + 10
    assert snippet("نص قصير", words("مدرسة")) == "نص قصير"


def test_snippet_size_holds_for_words_on_separate_lines() -> None:
    text = "\n".join([*filler(300), "الكتاب", *filler(300)])
    output = snippet(text, words("كتاب"), fragments=1, size=60)
    assert marked(output) == ["الكتاب"]
    assert len(plain(output)) <= 60 + 30


# --- through the engine ---------------------------------------------------------------------


@pytest.fixture
def library(make_engine: MakeEngine) -> SearchEngine:
    hostile = ["<script>alert(1)</script>", "وقرأ", "بِالْكِتَابِ", "<b>المدرسي</b>"]
    body = " ".join([*filler(40), *hostile, *filler(60), "كتابه", "&amp;", *filler(40)])
    return make_engine(
        [
            {"id": "x", "title": "معرض الكِتَاب <i>الدولي</i>", "body": body},
            {"id": "y", "title": "خبر آخر", "body": "لا شيء هنا عن الكتاب " + "كلمة " * 50},
        ]
    )


def test_hits_mark_titles_and_snippets_and_escape_the_rest(library: SearchEngine) -> None:
    result = library.search(SearchRequest(q="كتاب", fragments=2, fragment_size=80))
    hits = {hit.id: hit for hit in result.hits}
    assert set(hits) == {"x", "y"}
    hit = hits["x"]
    assert marked(hit.title) == ["الكِتَاب"]
    assert plain(hit.title) == "معرض الكِتَاب <i>الدولي</i>" and only_mark_tags(hit.title)
    assert set(marked(hit.snippet)) == {"بِالْكِتَابِ", "كتابه"}
    assert only_mark_tags(hit.snippet) and "<script>" in plain(hit.snippet)
    assert "<mark>" not in hits["y"].title and marked(hits["y"].snippet) == ["الكتاب"]


def test_fragment_settings_reach_the_snippet(library: SearchEngine) -> None:
    one = library.search(SearchRequest(q="كتاب", fragments=1, fragment_size=40)).hits
    snippet_x = next(hit.snippet for hit in one if hit.id == "x")
    assert len(fragments_of(snippet_x)) == 1 and len(plain(snippet_x)) <= 40 + 40


def test_document_page_marks_every_match(library: SearchEngine) -> None:
    view = library.document("x", "كتاب")
    assert view is not None
    assert marked(view.body) == ["بِالْكِتَابِ", "كتابه"] and marked(view.title) == ["الكِتَاب"]
    assert only_mark_tags(view.body) and "&amp;amp;" in view.body
    exact = library.document("x", "=كتابه")
    assert exact is not None and marked(exact.body) == ["كتابه"] and not marked(exact.title)
    bare = library.document("x")
    assert bare is not None and not MARK.search(bare.body) and only_mark_tags(bare.body)
    assert library.document("missing", "كتاب") is None


@pytest.mark.parametrize("word", ["الحكومة", "مباراة", "ترامب", "النفط"])
def test_real_news_marks_only_matching_words(ant_engine: SearchEngine, word: str) -> None:
    normalized, stem = terms_of(word)
    result = ant_engine.search(SearchRequest(q=word, per_page=50))
    assert result.hits
    for hit in result.hits:
        shown = marked(hit.title) + marked(hit.snippet)
        assert shown, hit.id  # the match is visible in the title or the snippet
        for text in shown:
            assert terms_of(text)[1] == stem or terms_of(text)[0] == normalized, text
        assert only_mark_tags(hit.title) and only_mark_tags(hit.snippet)


def test_a_broken_plural_found_by_the_search_is_highlighted() -> None:
    """مدرسة also finds المدارس (search/plurals.py): the page must show why."""
    terms = terms_for(parse_query("مدرسة"))
    text = "برنامج للتغذية في المدارس"
    assert [text[s:e] for s, e in match_spans(text, terms)] == ["المدارس"]


@pytest.mark.parametrize("query", ["الحكومة الجديدة", "مباراة كرة القدم", "أسعار النفط العالمية"])
def test_marks_by_indexed_forms_are_those_of_stemming(ant_engine: SearchEngine, query: str) -> None:
    """A search marks its hits through the index's stem → forms tables, stemming none of their
    words: exactly the words that analysing each of them would mark."""
    by_stemming = terms_for(parse_query(query))  # no forms at hand: every word analysed
    hits = ant_engine.search(SearchRequest(q=query, per_page=30)).hits
    assert hits
    for hit in hits:
        assert hit.title_spans == tuple(match_spans(hit.title_text, by_stemming)), hit.id
        assert hit.snippet_spans == tuple(match_spans(hit.snippet_text, by_stemming)), hit.id
    assert any(hit.snippet_spans for hit in hits)
