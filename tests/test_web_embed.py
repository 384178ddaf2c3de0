"""The embeddable widget through Flask's test client: the frame, who may frame it, its options,
its theme stylesheet, the loader script and the demo page. (The browser test, with a host page
on another origin, is test_browser_embed.py.)"""

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_web_pages import assert_no_inline_code

from webapp.embed_options import EmbedOptions, on_colour, parse_options, snippets
from webapp.origins import Origins, parse_origins
from webapp.settings import SettingsError, load_settings

HTMX = {"HX-Request": "true"}
BOOK = "الكتاب"
LISTED = "https://news.example http://localhost:8000"
CULTURE = "%D8%AB%D9%82%D8%A7%D9%81%D8%A9"  # ثقافة in a URL


def get(client: FlaskClient, url: str, status: int = 200, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def header(client: FlaskClient, url: str, name: str) -> str:
    with client.get(url) as response:  # closes a file answer (widget.js)
        return response.headers[name]


def hits(html: str) -> int:
    return html.count('<li class="hit">')


@pytest.fixture
def listed(make_app: Callable[..., Flask]) -> FlaskClient:
    """An app that lets two sites embed it."""
    return make_app(FAHRAS_EMBED_ORIGINS=LISTED).test_client()


# --- The frame ---------------------------------------------------------------------------------


def test_frame_is_a_small_arabic_page_with_a_labelled_box(client: FlaskClient) -> None:
    html = get(client, "/embed")
    assert '<html lang="ar" dir="rtl" data-theme="light" data-embed-origins="*">' in html
    assert 'role="search"' in html and '<label for="q" class="visually-hidden">' in html
    assert 'role="status"' in html and 'placeholder="ابحث في فهرس…"' in html
    assert 'hx-replace-url="true"' in html and "hx-push-url" not in html  # host history untouched
    assert "embed.css" in html and "fahras.css" not in html and "site-header" not in html
    assert hits(html) == 0  # nothing before the reader asks
    assert_no_inline_code(html)


def test_any_site_may_frame_it_by_default(client: FlaskClient) -> None:
    policy = client.get("/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors" not in policy  # `*` would still refuse file: and sandboxed hosts
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in client.get("/").headers["Content-Security-Policy"]


def test_frame_ancestors_follow_the_setting(listed: FlaskClient) -> None:
    expected = f"frame-ancestors 'self' {LISTED}"
    for url in ("/embed", f"/embed?q={BOOK}", "/embed?bogus=1"):  # errors show in the frame too
        assert header(listed, url, "Content-Security-Policy").endswith(expected)
    assert f'data-embed-origins="{LISTED}"' in get(listed, "/embed")
    for url in ("/", f"/search?q={BOOK}", "/embed/demo", "/widget.js", "/api/search"):
        assert header(listed, url, "Content-Security-Policy").endswith("frame-ancestors 'none'")


def test_results_open_on_our_site_in_a_new_tab(client: FlaskClient) -> None:
    html = get(client, f"/embed?q={BOOK}&per-page=2")
    assert hits(html) == 2 and "<mark>" in html
    links = re.findall(r'<a href="([^"]+)" class="hit-link" target="_blank" rel="noopener">', html)
    assert len(links) == 2 and all(link.startswith("/doc/") and "q=" in link for link in links)
    assert "(في نافذة جديدة)" in html
    more = re.search(r'<a href="([^"]+)" class="more" target="_blank"', html)
    assert more is not None and more[1] == "/search?q=" + "%D8%A7%D9%84%D9%83%D8%AA%D8%A7%D8%A8"
    assert '<p id="status" class="visually-hidden" role="status">٥ نتائج</p>' in html
    assert_no_inline_code(html)


def test_target_same_replaces_the_host_page(client: FlaskClient) -> None:
    html = get(client, f"/embed?q={BOOK}&target=same")
    assert 'target="_top"' in html and 'target="_blank"' not in html
    assert 'rel="noopener"' not in html and "في نافذة جديدة" not in html


def test_htmx_gets_the_results_and_the_live_region_only(client: FlaskClient) -> None:
    response = client.get(f"/embed?q={BOOK}&per-page=3", headers=HTMX)
    html = response.get_data(as_text=True)
    assert "<!doctype" not in html and 'id="embed-form"' not in html
    assert hits(html) == 3
    assert '<p id="status" hx-swap-oob="innerHTML">٥ نتائج</p>' in html
    assert "HX-Request" in response.headers["Vary"]


def test_fixed_filter_holds_and_offers_no_chips_of_its_own(client: FlaskClient) -> None:
    html = get(client, f"/embed?q={BOOK}&category=ثقافة&facets=on")
    assert "٤ نتائج" in html  # of the five, the four in ثقافة
    assert '<input type="hidden" name="category" value="ثقافة">' in html
    assert 'aria-labelledby="chips-source"' in html and "chips-category" not in html
    assert f"category={CULTURE}" in html  # the link to our full results keeps the filter


def test_picked_chip_narrows_and_stays_checked(client: FlaskClient) -> None:
    html = get(client, "/embed?q=كرة&facets=on&pick=source:إذاعة المدينة")
    assert hits(html) == 2
    assert re.search(r'value="source:إذاعة المدينة" form="embed-form" checked>', html)
    assert 'aria-labelledby="chips-category"' in html  # category chips, counted within the pick
    html = get(client, f"/embed?q={BOOK}&category=ثقافة&pick=category:تقنية", 400)
    assert "اختيار غير صالح" in html  # a fixed facet cannot be widened


def test_chips_only_when_asked(client: FlaskClient) -> None:
    assert "chips" not in get(client, f"/embed?q={BOOK}")


def test_options_survive_every_search_and_suggestion(client: FlaskClient) -> None:
    html = get(client, "/embed?q=كتبب&typos=off&per-page=3&theme=dark&placeholder=ابحث هنا")
    for name, value in (("placeholder", "ابحث هنا"), ("per-page", "3"), ("theme", "dark")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in html
    assert 'placeholder="ابحث هنا"' in html and 'data-theme="dark"' in html
    suggestion = re.search(r'<p class="did-you-mean">هل تقصد: <a href="([^"]+)"', html)
    assert suggestion is not None
    assert "per-page=3" in suggestion[1] and "theme=dark" in suggestion[1]
    assert "q=%D9%83%D8%AA%D8%A8" in suggestion[1]  # كتب


def test_theme_stylesheet_carries_the_custom_colours(client: FlaskClient) -> None:
    html = get(client, "/embed?accent=%23E11D48&background=%23fff&color=%23222222&font-size=18")
    link = re.search(r'<link rel="stylesheet" href="(/embed/theme\.css\?[^"]+)">', html)
    assert link is not None
    response = client.get(link[1].replace("&amp;", "&"))
    assert response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    css = response.get_data(as_text=True)
    assert css.startswith(":root[data-theme] {")
    for declaration in ("--accent: #e11d48;", "--on-accent: #ffffff;", "--bg: #fff;"):
        assert declaration in css
    assert "--ink: #222222;" in css and "--font-size: 18px;" in css
    assert "theme.css" not in get(client, "/embed?theme=dark")  # the theme's own colours


def test_text_on_the_accent_is_whichever_reads_better() -> None:
    assert on_colour("#0b57a4") == "#ffffff"
    assert on_colour("#ff0") == "#1b1f24"
    assert on_colour("#8ab4f8") == "#1b1f24"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("per-page=0", "per-page"),
        ("per-page=21", "per-page"),
        ("accent=red", "accent"),
        ("accent=%23fff;}html{display:none", "accent"),
        ("theme=blue", "theme"),
        ("font-size=40", "font-size"),
        ("target=_parent", "target"),
        ("facets=maybe", "facets"),
        ("colour=%23fff", "colour"),
        ("category=ثقافة&category=تقنية", "category"),
        ("placeholder=" + "ب" * 81, "placeholder"),
    ],
)
def test_bad_options_are_explained_inside_the_widget(
    client: FlaskClient, query: str, name: str
) -> None:
    html = get(client, f"/embed?{query}", 400)
    notice = re.search(r'<p class="notice">([^<]+)</p>', html)
    assert notice is not None
    assert f"«{name}»" in notice[1] or f"({name})" in notice[1]
    assert re.search(r"[\u0600-\u06ff]{3,}", notice[1])
    assert client.get(f"/embed/theme.css?{query}").status_code == 400


def test_options_read_back_from_their_attributes() -> None:
    options = EmbedOptions(
        placeholder="ابحث", fixed={"source": "مجلة آفاق"}, per_page=3, facets=True,
        theme="auto", accent="#e11d48", font_size=14, target="same",
    )  # fmt: skip
    pairs = options.attributes()
    assert [name for name, _ in pairs] == [
        "placeholder", "source", "per-page", "facets", "theme", "accent", "font-size", "target",
    ]  # fmt: skip
    assert parse_options({name: [value] for name, value in pairs}) == options
    assert EmbedOptions().attributes() == []
    assert parse_options({"per-page": [""], "theme": [" "], "category": [""]}) == EmbedOptions()


def test_snippets_escape_what_the_owner_typed() -> None:
    one_line, placeholder = snippets(
        "https://f.example/widget.js", EmbedOptions(placeholder='قل "مرحبًا" <b>')
    )
    attributes = 'data-placeholder="قل &#34;مرحبًا&#34; &lt;b&gt;"'
    assert one_line == (
        f'<script src="https://f.example/widget.js" data-fahras-search {attributes} async></script>'
    )
    assert placeholder == (
        f"<div data-fahras-search {attributes}></div>\n"
        '<script src="https://f.example/widget.js" async></script>'
    )


# --- The loader and the demo --------------------------------------------------------------------


def test_widget_js_may_be_loaded_by_any_site(client: FlaskClient) -> None:
    with client.get("/widget.js") as response:
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert response.headers["Cache-Control"] == "public, max-age=3600"
        assert "data-fahras-search" in response.get_data(as_text=True)


def test_demo_page_shows_the_snippet_for_the_chosen_options(client: FlaskClient) -> None:
    html = get(client, "/embed/demo")
    assert "&lt;script src=&#34;http://localhost/widget.js&#34; data-fahras-search async" in html
    assert "<option selected>ثقافة</option>" not in html and "<option>ثقافة</option>" in html
    assert "<div data-fahras-search></div>" in html  # the live preview
    assert_no_inline_code(html)
    html = get(client, "/embed/demo?category=ثقافة&per-page=3&facets=on&theme=light")
    attributes = 'data-category="ثقافة" data-per-page="3" data-facets="on"'
    shown = attributes.replace('"', "&#34;")  # the snippet is shown as text
    assert f"data-fahras-search {shown} async" in html
    assert f"<div data-fahras-search {attributes}></div>" in html
    assert "<option selected>ثقافة</option>" in html


def test_demo_leaves_theme_colours_out_of_the_snippet(client: FlaskClient) -> None:
    base = "/embed/demo?accent=%230b57a4&background=%23000000"
    assert "data-background" not in get(client, base)  # colours off: ignored
    html = get(client, base + "&colours=on", **HTMX)
    assert "<!doctype" not in html and "data-fahras-search" in html
    assert 'data-background="#000000"' in html and "data-accent" not in html  # the light accent


def test_demo_reports_a_bad_option(client: FlaskClient) -> None:
    html = get(client, "/embed/demo?per-page=99")
    assert '<p class="notice">' in html and "(per-page)" in html


# --- FAHRAS_EMBED_ORIGINS -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("*", "*"),
        (" * ", "*"),
        ("HTTPS://News.Example/", "https://news.example"),
        ("https://a.example, http://localhost:8000 https://a.example", "https://a.example http://localhost:8000"),
        ("http://127.0.0.1:5000 http://[::1]:8080", "http://127.0.0.1:5000 http://[::1]:8080"),
    ],
)  # fmt: skip
def test_origins_are_read_in_canonical_form(raw: str, canonical: str) -> None:
    assert parse_origins(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    ["", "* https://a.example", "news.example", "https://a.example/path", "ftp://a.example",
     "https://*.example.com", "https://a.example?x"],
)  # fmt: skip
def test_bad_origins_stop_the_app_with_the_variable_named(raw: str) -> None:
    with pytest.raises(SettingsError, match="FAHRAS_EMBED_ORIGINS"):
        load_settings({"FAHRAS_EMBED_ORIGINS": raw})


def test_origins_allow_what_they_list() -> None:
    listed = Origins.from_config({"FAHRAS_EMBED_ORIGINS": LISTED})
    assert listed.allows("https://news.example") and not listed.allows("https://evil.example")
    assert not listed.allows("https://news.example:8443") and not listed.allows("null")
    assert listed.frame_ancestors() == f"'self' {LISTED}"
    anyone = Origins.from_config({"FAHRAS_EMBED_ORIGINS": "*"})
    assert anyone.allows("null") and anyone.frame_ancestors() is None
