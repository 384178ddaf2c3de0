"""The HTML pages through Flask's test client: whole pages, htmx fragments, errors in Arabic."""

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE, build_index, write_jsonl
from flask import Flask
from flask.testing import FlaskClient

from webapp.pages import web_link

HTMX = {"HX-Request": "true"}
ARABIC = re.compile(r"[\u0600-\u06ff]{3,}")
BOOK = "الكتاب"


def page(client: FlaskClient, url: str, status: int = 200, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def assert_no_inline_code(html: str) -> None:
    """A strict CSP must hold: scripts only from files, no style attributes or handlers."""
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_home_is_an_arabic_rtl_page_with_the_archive_facets(client: FlaskClient) -> None:
    html = page(client, "/")
    assert '<html lang="ar" dir="rtl">' in html
    assert "٦٠ مقالًا" in html
    assert 'name="category" value="ثقافة"' in html
    assert 'role="status"' in html and 'role="search"' in html
    assert_no_inline_code(html)


def test_search_page_shows_highlighted_results_and_counts(client: FlaskClient) -> None:
    html = page(client, f"/search?q={BOOK}")
    assert "<mark>" in html
    assert "٥ نتائج" in html
    assert f'value="{BOOK}"' in html and 'dir="auto"' in html
    assert f"<title>{BOOK} — فهرس</title>" in html
    assert_no_inline_code(html)


def test_htmx_request_gets_only_the_results_region(client: FlaskClient) -> None:
    response = client.get(f"/search?q={BOOK}", headers=HTMX)
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="search-form"' not in html
    assert "<mark>" in html
    assert '<div id="facets" hx-swap-oob="innerHTML">' in html
    assert '<p id="status" hx-swap-oob="innerHTML">٥ نتائج' in html
    assert f"<title>{BOOK} — فهرس</title>" in html
    assert "HX-Request" in response.headers["Vary"]
    assert_no_inline_code(html)


def test_history_restore_gets_the_whole_page(client: FlaskClient) -> None:
    html = page(client, f"/search?q={BOOK}", **HTMX, **{"HX-History-Restore-Request": "true"})
    assert "<html" in html


def test_full_page_also_varies_on_htmx(client: FlaskClient) -> None:
    assert "HX-Request" in client.get(f"/search?q={BOOK}").headers["Vary"]


def test_selected_facet_is_checked_with_a_removable_chip(client: FlaskClient) -> None:
    html = page(client, f"/search?q={BOOK}&category=ثقافة&source=مجلة آفاق")
    assert re.search(r'value="ثقافة" form="search-form" checked', html)
    assert "التصنيف: ثقافة" in html and "المصدر: مجلة آفاق" in html
    chip = re.search(
        r'<a href="([^"]+)"[^>]*class="chip"><span class="visually-hidden">إزالة', html
    )
    assert chip is not None
    assert "category" not in chip[1] and "source=" in chip[1]
    assert "مسح الكل" in html


def test_disjunctive_counts_keep_other_values_of_a_selected_facet(client: FlaskClient) -> None:
    html = page(client, f"/search?q={BOOK}&category=ثقافة")
    assert 'value="تقنية" form="search-form">' in html  # still offered, with its own count


def test_date_range_fills_the_date_inputs_and_chips(client: FlaskClient) -> None:
    html = page(client, "/search?from=2019&to=2019")
    assert 'value="2019-01-01"' in html and 'value="2019-12-31"' in html
    assert "من ٢٠١٩" in html and "إلى ٢٠١٩" in html
    assert "٩ نتائج" in html


def test_sorting_marks_the_chosen_order(client: FlaskClient) -> None:
    html = page(client, f"/search?q={BOOK}&sort=oldest")
    assert '<option value="oldest" selected>الأقدم أولًا</option>' in html


def test_pager_links_pages_in_arabic_digits(client: FlaskClient) -> None:
    html = page(client, "/search?per_page=5&page=2")
    assert 'aria-current="page">٢<' in html
    assert re.search(r'href="/search\?per_page=5&amp;page=3"[^>]*rel="next"', html)
    assert re.search(r'href="/search\?per_page=5"[^>]*rel="prev"', html)
    assert "الصفحة ٢ من ١٢" in html


def test_page_past_the_last_offers_the_first(client: FlaskClient) -> None:
    html = page(client, f"/search?q={BOOK}&page=50")
    assert "هذه الصفحة بعد آخر النتائج" in html


def test_did_you_mean_links_the_corrected_query(client: FlaskClient) -> None:
    html = page(client, "/search?q=كتبب&typos=off")  # typos on: كتب is searched as well
    assert "هل تقصد" in html
    assert 'href="/search?q=%D9%83%D8%AA%D8%A8"' in html  # كتب


def test_partial_match_is_announced(client: FlaskClient) -> None:
    assert "لا يحوي أي مقال كل الكلمات" in page(client, f"/search?q={BOOK} xyzzy")


def test_zero_results_help(client: FlaskClient) -> None:
    html = page(client, "/search?q=xyzzy&category=رياضة")
    assert "لم نجد نتائج" in html and "نصائح للبحث" in html
    assert "ابحث دون تصفية" in html


def test_engine_notices_are_in_arabic(client: FlaskClient) -> None:
    assert "ليس تاريخًا" in page(client, f"/search?q={BOOK} date:banana")


def test_document_page_highlights_and_links_back(client: FlaskClient) -> None:
    html = page(client, f"/doc/sample-001?q={BOOK}&category=ثقافة&page=1")
    assert "<mark>للكتاب</mark>" in html
    back = re.search(r'<a href="([^"]+)">العودة إلى النتائج', html)
    assert back is not None and "category=" in back[1] and back[1].startswith("/search?")
    assert "٤ أكتوبر ٢٠١٩" in html
    assert 'href="https://example.org/al-fajr/sample-001"' in html
    assert_no_inline_code(html)


def test_document_without_search_links_home(client: FlaskClient) -> None:
    html = page(client, "/doc/sample-001")
    assert "<mark>" not in html and "إلى البحث" in html


def test_only_web_addresses_become_links() -> None:
    assert web_link("https://example.org/a") == "https://example.org/a"
    assert web_link("javascript:alert(1)") is None
    assert web_link(None) is None


def test_unknown_document_is_an_arabic_404(client: FlaskClient) -> None:
    assert "الصفحة غير موجودة" in page(client, "/doc/no-such-id", 404)


def test_unknown_path_is_an_arabic_404(client: FlaskClient) -> None:
    html = page(client, "/no/such/page", 404)
    assert "الصفحة غير موجودة" in html and '<html lang="ar" dir="rtl">' in html


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        f"page={10**9}",
        f"page={'9' * 5000}",
        "per_page=0",
        f"per_page={10**6}",
        "sort=random",
        "from=banana",
        "from=2021&to=2020",
        "colour=red",
        "q=" + "ك" * 600,
        "&".join(f"tags=t{i}" for i in range(60)),
        "category=" + "x" * 300,
    ],
)
def test_bad_parameters_are_400_in_arabic(client: FlaskClient, query: str) -> None:
    html = page(client, f"/search?{query}", 400)
    assert "طلب غير صالح" in html
    assert "Traceback" not in html
    fragment = page(client, f"/search?{query}", 400, **HTMX)
    assert "<html" not in fragment and ARABIC.search(fragment)


@pytest.mark.parametrize(
    "query", ["q=%ED%A0%80", "q=%00%01%1b", "category=%FF", 'q="""(((', "q=-", "q=*", "q=OR"]
)
def test_odd_input_still_gets_a_page(client: FlaskClient, query: str) -> None:
    assert "Traceback" not in page(client, f"/search?{query}")
    assert client.get(f"/api/search?{query}").status_code == 200


def test_arabic_digits_are_read_in_parameters(client: FlaskClient) -> None:
    assert "الصفحة ٢ من ١٢" in page(client, "/search?per_page=٥&page=٢")


def test_unexpected_error_is_an_arabic_500_without_trace(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    engine = app.extensions["fahras"].engine()

    def broken(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(engine, "search", broken)
    html = page(app.test_client(), f"/search?q={BOOK}", 500)
    assert "خطأ في الخادم" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_missing_index_is_a_503_that_says_how_to_build_one(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    client = make_app(FAHRAS_INDEX=str(tmp_path / "nothing")).test_client()
    assert "fahras index" in page(client, "/", 503)


def test_new_commits_show_up_without_a_restart(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    client = make_app(FAHRAS_INDEX=str(index_dir)).test_client()
    assert "لم نجد نتائج" in page(client, "/search?q=زرافة")
    extra = {
        "id": "x1",
        "title": "زرافة في حديقة الحيوان",
        "body": "ولدت زرافة.",
        "date": "2024-05-01",
    }
    build_index([write_jsonl(tmp_path / "extra.jsonl", [extra])], index_dir)
    # The worker opens the new generation in the background and keeps answering meanwhile.
    deadline = time.monotonic() + 10
    while "<mark>زرافة</mark>" not in page(client, "/search?q=زرافة"):
        assert time.monotonic() < deadline, "the commit did not show up within 10 s"
        time.sleep(0.05)


def test_the_index_is_opened_once_per_worker(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    client = app.test_client()
    page(client, "/")
    first = app.extensions["fahras"].engine()
    page(client, f"/search?q={BOOK}")
    assert app.extensions["fahras"].engine() is first


def test_opensearch_description(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    body = response.get_data(as_text=True)
    assert "/search?q={searchTerms}" in body and "format=opensearch&amp;q={searchTerms}" in body


def test_static_files_and_vendored_htmx(client: FlaskClient) -> None:
    html = page(client, "/")
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
    htmx_dir = Path(__file__).resolve().parents[1] / "webapp" / "static" / "vendor" / "htmx"
    version = (htmx_dir / "VERSION").read_text().strip()
    assert version.startswith("2.") and f"htmx-{version}.min.js" in html
    assert "Zero-Clause BSD" in (htmx_dir / "LICENSE").read_text()


def test_pages_send_a_strict_content_security_policy(client: FlaskClient) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
