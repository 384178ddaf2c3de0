"""Highlights as data (issue 9 §4): spans into plain text, rendered by each face."""

import html

from search.analysis import terms_of
from search.highlight import ELLIPSIS, Marked, MatchTerms, marked_snippet, snippet
from webapp.inert import inert_marked

BOOK = MatchTerms(frozenset({terms_of("كتاب")[1]}), frozenset({terms_of("كتاب")[0]}))  # type: ignore[arg-type]


def test_marked_renders_html_escaped_and_other_forms() -> None:
    text = Marked("<b> الكتاب & القلم", ((4, 10),))
    assert text.html() == "&lt;b&gt; <mark>الكتاب</mark> &amp; القلم"
    assert text.render("[", "]") == "<b> [الكتاب] & القلم"


def test_snippet_spans_point_into_the_snippet_text() -> None:
    body = " ".join(["كلام عام لا صلة له"] * 30 + ["عن الكتاب"] + ["حشو آخر"] * 60 + ["بالكتاب"])
    marked = marked_snippet(body, BOOK, fragments=2, size=60)
    assert marked.text.startswith(ELLIPSIS) and marked.text != body
    assert [marked.text[s:e] for s, e in marked.spans] == ["الكتاب", "بالكتاب"]
    assert snippet(body, BOOK, 2, 60) == marked.html()
    assert html.unescape(marked.html().replace("<mark>", "").replace("</mark>", "")) == marked.text


def test_removing_bidi_controls_keeps_spans_on_their_words() -> None:
    text = "\u202eقال\u2066 إن الكتاب\u2069 مهم"
    start = text.index("الكتاب")
    clean, spans = inert_marked(text, [(start, start + 6)])
    assert clean == "قال إن الكتاب مهم"
    assert [clean[s:e] for s, e in spans] == ["الكتاب"]
