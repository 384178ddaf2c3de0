"""Hostile input (issue 6 §1): whatever a query or a document holds, the answer is calm and inert.

Queries get a normal page or a clear Arabic 400/414, never a 500 or a trace, and never seconds
of CPU; documents carrying markup, script links or bidi overrides are shown as plain text.
Files given to the indexer are in tests/test_hostile_files.py.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import build_index, write_jsonl
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from search import scorer
from search.engine import SearchEngine, SearchRequest
from search.errors import QueryError
from search.query import MAX_QUERY_CHARS

ARABIC = re.compile(r"[\u0600-\u06ff]{3,}")
HTMX = {"HX-Request": "true"}
PREFIXES = " ".join(["ال*", "مت*", "تع*", "بال*", "وال*", "است*"] * 4)  # 24 prefix clauses
STOP_PHRASES = " ".join(f'"{w} {w}"' for w in ["في", "من", "على", "إلى", "عن", "مع"] * 4)

# (id, query string as it arrives on the wire). Everything here must get a 200 or a 400/414.
HOSTILE_QUERIES = [
    ("10000-chars", "q=" + quote("ب" * 10_000)),
    ("10000-ascii", "q=" + "a" * 10_000),
    ("600-chars", "q=" + quote("كتاب " * 120)),
    ("control-chars", "q=a%00b%01%1b%7f%C2%85c"),
    ("zero-width", "q=" + quote("\u200b\u200c\u200d\ufeff\u2060كتاب\u200b")),
    ("lone-high-surrogate", "q=%ED%A0%80"),
    ("lone-low-surrogate", "q=abc%ED%B0%80def"),
    ("truncated-utf8", "q=%F0%9F%98"),
    ("invalid-utf8", "q=%FF%FE%C0%AF"),
    ("bad-percent", "q=%zz%4"),
    ("unbalanced-quote", "q=" + quote('"كتاب الطفل')),
    ("unbalanced-parens", "q=" + quote("((كتاب OR (الطفل")),
    ("closing-parens", "q=" + quote("كتاب)))")),
    ("quotes-and-parens", "q=" + quote('"""(((')),
    ("star", "q=*"),
    ("question-mark", "q=%3F"),
    ("minus", "q=-"),
    ("minus-star", "q=-*"),
    ("only-operators", "q=OR+OR+-+%3D+*+date%3A+title%3A"),
    ("stop-words", "q=" + quote("في من على إلى عن")),
    ("diacritics", "q=" + quote("\u064e\u064f\u0650\u0651\u0652 \u064b")),
    ("sql", "q=" + quote("' OR 1=1; DROP TABLE docs; --")),
    ("regex", "q=" + quote(r".*(a|b)+$^[\]{2,}\d\\")),
    ("script", "q=" + quote("<script>alert(1)</script>")),
    ("html-attribute", "q=" + quote('"><img src=x onerror=alert(1)>')),
    ("many-prefixes", "q=" + quote(PREFIXES)),
    ("stop-word-phrases", "q=" + quote(STOP_PHRASES)),
    ("page-1e9", f"page={10**9}"),
    ("page-huge", "page=" + "9" * 4000),
    ("page-negative", "page=-1"),
    ("per-page-1e6", f"per_page={10**6}"),
    ("per-page-float", "per_page=1.5"),
    ("bad-month", "from=2019-13-45"),
    ("bad-day", "from=2021-02-30"),
    ("bad-year", "to=99999"),
    ("range-only", "from=.."),
    ("date-in-query", "q=" + quote("date:99999999999 date:>< date:2019..x")),
    ("reversed-dates", "from=2021&to=2019"),
    ("unknown-facet", "colour=red"),
    ("unknown-facet-value", "category=" + quote("لا يوجد")),
    ("script-facet-value", "source=" + quote("<script>alert(1)</script>")),
    ("invalid-utf8-facet", "category=%FF"),
    ("many-facet-values", "&".join(f"tags=t{i}" for i in range(60))),
    ("repeated-q", "q=" + quote("كتاب") + "&q=" + quote("طفل")),
    ("repeated-page", "page=1&page=abc"),
    ("repeated-sort", "sort=newest&sort=zzz"),
    ("repeated-per-page", "per_page=5&per_page=1000000"),
    ("empty-names", "=&&=x&q"),
]


def assert_calm(response: TestResponse) -> str:
    """A 200, or a 400/414 that explains itself in Arabic; never a trace.

    How long a hostile query may take is the engine's time limit, checked below by what the
    search reports; speed itself is measured in bench/, never by a wall clock here.
    """
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 414), body[:300]
    assert "Traceback" not in body
    if response.status_code != 200:
        assert ARABIC.search(body), body[:300]
    return body


@pytest.fixture(scope="module")
def ant_app(ant_index: Path) -> Iterator[Flask]:
    from webapp import create_app

    app = create_app({"FAHRAS_INDEX": str(ant_index), "TESTING": True})
    client = app.test_client()
    client.get("/search?q=" + quote("اختبار"))  # open the index before anything is timed
    client.get("/api/suggest?q=" + quote("ال"))
    yield app
    app.extensions["fahras"].close()


@pytest.mark.parametrize(
    "query", [q for _, q in HOSTILE_QUERIES], ids=[i for i, _ in HOSTILE_QUERIES]
)
@pytest.mark.parametrize("path", ["/search", "/search#htmx", "/api/search", "/api/suggest"])
def test_hostile_queries_get_a_calm_answer(ant_app: Flask, path: str, query: str) -> None:
    url, _, mode = path.partition("#")
    headers = HTMX if mode == "htmx" else {}
    response = ant_app.test_client().get(f"{url}?{query}", headers=headers)
    body = assert_calm(response)
    assert "<script>alert" not in body and "<img src=x" not in body
    if url.startswith("/api/"):
        assert response.is_json
    elif mode == "htmx":
        assert "<html" not in body
    else:
        assert '<html lang="ar" dir="rtl">' in body


@pytest.mark.parametrize("text", ["ب" * 10_000, "\u064e" * 600, PREFIXES, "a\x00\ud800b"])
def test_hostile_analysis_requests(ant_app: Flask, text: str) -> None:
    url = "/api/analyze?text=" + quote(text, safe="", errors="surrogatepass")
    assert_calm(ant_app.test_client().get(url))


def test_a_long_query_is_cut_with_a_notice_by_the_engine(ant_engine: SearchEngine) -> None:
    result = ant_engine.search(SearchRequest(q="كتاب " * 2000))
    assert [n.code for n in result.notices][:1] == ["query_cut"]
    assert len(result.query) == MAX_QUERY_CHARS


@pytest.mark.parametrize(
    "q",
    [
        "ب" * 10_000,
        "\x00\x01\x1b\u200b\ufeff\ud800\udfff",
        '"(((',
        "*",
        "?",
        "-",
        "في من على",
        "\u064e\u064f\u0650",
        "' OR 1=1 --",
        ".*(a|b)+$",
        "<script>alert(1)</script>",
        "date:9999999999999",
        PREFIXES,
        STOP_PHRASES,
    ],
)
def test_the_engine_takes_any_query(ant_engine: SearchEngine, q: str) -> None:
    result = ant_engine.search(SearchRequest(q=q))
    ant_engine.suggest(q)
    assert all("<script" not in hit.title + hit.snippet for hit in result.hits)


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(page=10**9),
        SearchRequest(per_page=10**6),
        SearchRequest(page=0),
        SearchRequest(sort="random"),
        SearchRequest(date_from="2019-13-45"),
        SearchRequest(filters={"colour": ["red"]}),
    ],
)
def test_the_engine_refuses_bad_parameters_with_a_query_error(
    ant_engine: SearchEngine, request_: SearchRequest
) -> None:
    with pytest.raises(QueryError):
        ant_engine.search(request_)


@pytest.fixture(scope="module")
def fragmented_engine(
    ant_slice: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchEngine]:
    """The ANT slice committed in many small batches, as an index updated daily ends up."""
    index_dir = tmp_path_factory.mktemp("fragmented")
    build_index([ant_slice], index_dir, commit_every=150)
    engine = SearchEngine(index_dir)
    engine.search(SearchRequest(q="اختبار"))
    yield engine
    engine.close()


def test_many_prefixes_on_a_fragmented_index_stop_at_the_time_limit(
    fragmented_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit is enforced inside a prefix's expansion, where the time goes: with a clock
    that runs out part-way, the prefix lookups stop and the search says so."""
    with fragmented_engine._reading() as (_, searcher):  # the searcher the next search borrows
        reader = searcher.reader()
    lookups = []
    real_frequency = reader.doc_frequency

    def counted_frequency(field: str, word: str) -> int:
        lookups.append(word)
        return real_frequency(field, word)

    monkeypatch.setattr(reader, "doc_frequency", counted_frequency)
    monkeypatch.setattr(scorer, "clock", lambda: 0.0)  # a clock that never runs out
    full = fragmented_engine.search(SearchRequest(q=PREFIXES))
    assert "search_timeout" not in {n.code for n in full.notices}
    unlimited = len(lookups)
    lookups.clear()

    ticks = iter(range(10**9))
    monkeypatch.setattr(scorer, "clock", lambda: next(ticks) * 0.01)  # out of time after 50 ticks
    cut = fragmented_engine.search(SearchRequest(q=PREFIXES))
    assert "search_timeout" in {n.code for n in cut.notices}
    assert 0 < len(lookups) < unlimited / 4, (len(lookups), unlimited)
    assert cut.total <= full.total


def test_a_search_out_of_time_returns_what_it_has_with_a_notice(
    ant_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scorer, "TIME_LIMIT", -1.0)  # the deadline has passed before it starts
    result = ant_engine.search(SearchRequest(q="كتاب"))
    assert [n.code for n in result.notices] == ["search_timeout"]
    assert result.total == 0 and result.hits == []


# --- hostile documents ------------------------------------------------------------------------

RLO, PDF, LRI = "\u202e", "\u202c", "\u2066"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
HOSTILE_DOCS = [
    {
        "id": "markup",
        "title": "<script>alert('t')</script> عنوان مريب",
        "body": "نص فيه <script>alert(1)</script> و<img src=x onerror=alert(2)> و"
        '<a href="javascript:alert(3)">رابط</a> مريب <style>body{display:none}</style>',
        "url": "javascript:alert(document.cookie)",
        "source": "<b>مصدر</b>",
        "author": '"><script>alert(4)</script>',
    },
    {
        "id": "bidi",
        "title": f"عنوان {RLO}مقلوب{PDF} مريب {RLO}exe.txt",
        "body": f"نص {RLO}مقلوب مريب {LRI}معزول",
        "url": "JaVaScRiPt:alert(1)",
    },
    {"id": 'quote"><script>x</script>', "title": "معرف مريب", "body": "نص", "url": " javascript:1"},
    {"id": "data", "title": "رابط بيانات مريب", "body": "نص", "url": "data:text/html,<script>1"},
    {"id": "fine", "title": "رابط سليم مريب", "body": "نص", "url": "https://example.org/a?b=1&c=2"},
]


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    from webapp import create_app

    folder = tmp_path_factory.mktemp("hostile_docs")
    report = build_index([write_jsonl(folder / "docs.jsonl", HOSTILE_DOCS)], folder / "index")
    assert report.added == len(HOSTILE_DOCS)
    app = create_app({"FAHRAS_INDEX": str(folder / "index"), "TESTING": True})
    yield app.test_client()
    app.extensions["fahras"].close()


def assert_inert(html: str) -> None:
    """No markup from the documents, no script links, no bidi controls: only our own page."""
    assert "<script>alert" not in html and "<img" not in html and "<b>" not in html
    assert "<style>" not in html and not re.search(r"<[a-z][^>]*\son[a-z]+=", html)
    links = re.findall(r'(?:href|src|action)="([^"]*)"', html)
    assert not [link for link in links if re.match(r"\s*(javascript|data|vbscript):", link, re.I)]
    assert not BIDI.search(html)


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/search", {}), ("/search", HTMX), ("/embed", {})],
    ids=["page", "htmx", "widget"],
)
def test_hostile_documents_are_inert_in_results(
    hostile_client: FlaskClient, path: str, headers: dict[str, str]
) -> None:
    response = hostile_client.get(f"{path}?q=" + quote("مريب"), headers=headers)
    html = response.get_data(as_text=True)
    assert html.count('class="hit"') == len(HOSTILE_DOCS)
    assert_inert(html)
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in html  # shown, as text
    assert "/doc/quote%22%3E%3Cscript%3Ex%3C/script%3E" in html  # the id, as a path


@pytest.mark.parametrize("doc_id", [doc["id"] for doc in HOSTILE_DOCS])
def test_hostile_documents_are_inert_on_their_page(
    hostile_client: FlaskClient, doc_id: str
) -> None:
    response = hostile_client.get(f"/doc/{quote(doc_id)}?q=" + quote("مريب"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_inert(html)
    original = re.findall(r'<p class="original"><a href="([^"]*)"', html)
    assert original == (["https://example.org/a?b=1&amp;c=2"] if doc_id == "fine" else [])


def test_hostile_documents_are_inert_in_json(hostile_client: FlaskClient) -> None:
    response = hostile_client.get("/api/search?q=" + quote("مريب"))
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    hits = {hit["id"]: hit for hit in response.get_json()["results"]}
    assert {doc_id: hit["url"] for doc_id, hit in hits.items()} == {
        "markup": None,
        "bidi": None,
        'quote"><script>x</script>': None,
        "data": None,
        "fine": "https://example.org/a?b=1&c=2",
    }
    assert hits["markup"]["title"].startswith("&lt;script&gt;")  # safe HTML, as documented
    assert "<script" not in hits["markup"]["snippet"] + hits["markup"]["title"]
    assert hits["bidi"]["title"] == "عنوان مقلوب <mark>مريب</mark> exe.txt"
    assert not BIDI.search(hits["bidi"]["snippet"])
