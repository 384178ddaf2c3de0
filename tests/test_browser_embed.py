"""The embeddable widget in a real browser (Playwright driving Debian's chromium).

A host page on another origin (another port of 127.0.0.1) with hostile CSS (`* { all: unset }`),
left-to-right and in a serif font, embeds two widgets with different options: one from a script
tag, one from a placeholder in a narrow sidebar. A third origin, not in FAHRAS_EMBED_ORIGINS,
must be refused by the browser itself. The host page is screenshot under tests/artifacts/.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, FrameLocator, Page, expect
from test_browser import ARTIFACTS
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from webapp import create_app

HOST_CSS = """
* { all: unset; }
head, script, style, title { display: none; }
html { display: block; direction: ltr; font: 15px/1.5 "DejaVu Serif", serif; color: #222;
       background: #fbfaf4; }
body { display: block; margin: 24px; }
h1 { display: block; font-size: 28px; font-weight: bold; margin-bottom: 8px; }
p { display: block; margin: 8px 0; }
.columns { display: flex; gap: 24px; align-items: flex-start; }
.main { display: block; flex: 1; min-width: 0; }
.sidebar { display: block; flex: none; width: 300px; }
"""
WIDGETS = {
    "one": '<script src="{fahras}/widget.js" data-fahras-search data-category="ثقافة"'
    ' data-per-page="2" data-theme="dark" data-accent="#e11d48"'
    ' data-placeholder="ابحث في الثقافة…" async></script>',
    "two": '<div data-fahras-search data-facets="on" data-target="same" data-font-size="14">'
    '<a href="{fahras}/">Search Fahras</a></div>',
    "loader": '<script src="{fahras}/widget.js" async></script>',
}
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host page</title><link rel="icon" href="data:,">
<style>{css}</style></head>
<body>
<h1 id="title">A host page with its own styles</h1>
<p id="intro">English, left to right, in a serif font; every element reset by all: unset.</p>
<div class="columns">
  <div class="main"><p id="before">The first widget:</p>{one}<p id="after">After it.</p></div>
  <div class="sidebar" id="sidebar"><p>The second widget:</p>{two}</div>
</div>
{loader}
</body></html>"""
HOST_TEXT = ("#title", "#intro", "#before", "#after")
# Elements that shadow globals (DOM clobbering): window.FahrasSearch, document.currentScript.
CLOBBERING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clobbering host</title>
<link rel="icon" href="data:,"></head>
<body>
<div id="FahrasSearch"><a id="FahrasSearch" name="widgets" href="https://evil.example/">x</a></div>
<img name="currentScript" src="data:," alt="">
<div data-fahras-search data-per-page="2"></div>
<script src="{fahras}/widget.js"></script>
</body></html>"""
STYLE_PROPS = ("fontFamily", "fontSize", "direction", "color", "display", "lineHeight")


@dataclass
class Site:
    """A server on its own port of 127.0.0.1, that is, its own origin."""

    origin: str
    pages: dict[str, str]


@contextmanager
def serve(app: Callable) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


@contextmanager
def host_site() -> Iterator[Site]:
    """Serves the HTML in `pages` by path; filled in once the Fahras origin is known."""
    pages: dict[str, str] = {}

    @Request.application
    def app(request: Request) -> Response:
        if request.path not in pages:
            return Response("not found", status=404)
        return Response(pages[request.path], mimetype="text/html")

    with serve(app) as origin:
        yield Site(origin, pages)


def host_page(fahras: str, widgets: bool = True) -> str:
    parts = {name: html.format(fahras=fahras) if widgets else "" for name, html in WIDGETS.items()}
    return HOST_PAGE.format(css=HOST_CSS, **parts)


@dataclass
class Sites:
    host: Site  # in FAHRAS_EMBED_ORIGINS
    stranger: Site  # not in it
    fahras: str  # our origin


@pytest.fixture(scope="module")
def sites(sample_index: Path) -> Iterator[Sites]:
    """Fahras, and two host sites with the same page: FAHRAS_EMBED_ORIGINS names one of them."""
    with host_site() as host, host_site() as stranger:
        app = create_app(
            {
                "FAHRAS_INDEX": str(sample_index),
                "FAHRAS_TYPING_DELAY_MS": 150,
                "FAHRAS_EMBED_ORIGINS": host.origin,
            }
        )
        with serve(app) as fahras:
            for site in (host, stranger):
                site.pages["/"] = host_page(fahras)
                site.pages["/plain"] = host_page(fahras, widgets=False)
            host.pages["/clobbered"] = CLOBBERING_PAGE.format(fahras=fahras)
            yield Sites(host, stranger, fahras)
        app.extensions["fahras"].close()


def open_page(browser: Browser, width: int = 1100) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(5000)
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.problems.append(str(e)))  # type: ignore[attr-defined]
    return page


def host_styles(page: Page) -> dict[str, object]:
    """Where the host's own text sits and how it is styled."""
    return page.evaluate(
        """([selectors, props]) => Object.fromEntries(selectors.map(s => {
            const e = document.querySelector(s), style = getComputedStyle(e);
            const box = e.getBoundingClientRect();
            return [s, {x: box.x, y: box.y, width: box.width, height: box.height,
                        ...Object.fromEntries(props.map(p => [p, style[p]]))}];
        }))""",
        [list(HOST_TEXT), list(STYLE_PROPS)],
    )


def frame_height(page: Page, index: int) -> float:
    return page.locator("iframe").nth(index).bounding_box()["height"]  # type: ignore[index]


def widget_frame(page: Page, index: int) -> Frame:
    frame = page.locator("iframe").nth(index).element_handle().content_frame()
    assert frame is not None
    return frame


def wait_for_size(page: Page, index: int) -> None:
    """Until the frame's height is its content's: the hello and the answer went through."""
    frame = widget_frame(page, index)
    frame.wait_for_selector("html.sized")
    content = "Math.ceil(document.body.getBoundingClientRect().height)"
    page.wait_for_function(
        "([i, h]) => Math.abs(document.querySelectorAll('iframe')[i].offsetHeight - h) <= 1",
        arg=[index, frame.evaluate(content)],
    )


def search(frame: FrameLocator, words: str) -> None:
    frame.locator("#q").press_sequentially(words, delay=20)


def theme_of(frame: Frame) -> list[str]:
    return frame.evaluate(
        """() => [document.documentElement.dataset.theme,
                  getComputedStyle(document.documentElement).backgroundColor,
                  getComputedStyle(document.querySelector('a.hit-link')).color]"""
    )


def test_two_widgets_on_a_hostile_host_page(browser: Browser, sites: Sites) -> None:
    host = sites.host
    page = open_page(browser)
    page.goto(host.origin + "/plain")
    plain = host_styles(page)
    page.goto(host.origin + "/")
    expect(page.locator("iframe")).to_have_count(2)
    one, two = page.frame_locator("iframe").nth(0), page.frame_locator("iframe").nth(1)
    history = page.evaluate("history.length")
    for index in (0, 1):
        wait_for_size(page, index)
    closed = [frame_height(page, 0), frame_height(page, 1)]
    assert all(30 < height < 80 for height in closed), closed  # just the box, until a search
    expect(one.locator("#q")).to_have_attribute("placeholder", "ابحث في الثقافة…")

    search(one, "الكتاب")
    expect(one.locator(".hit")).to_have_count(2)  # data-per-page="2"
    assert one.locator(".hit mark").count() > 0
    expect(one.locator(".embed-footer")).to_contain_text("٤ نتائج")  # only ثقافة: 4 of 5
    more = one.locator("a.more")
    assert "category=%D8%AB%D9%82%D8%A7%D9%81%D8%A9" in str(more.get_attribute("href"))
    assert one.locator("a.hit-link").first.get_attribute("target") == "_blank"
    expect(two.locator(".hit")).to_have_count(0)  # the other widget is untouched

    search(two, "كرة")
    expect(two.locator(".hit")).to_have_count(5)
    assert two.locator(".hit mark").count() > 0
    assert two.locator("a.hit-link").first.get_attribute("target") == "_top"
    two.locator(".chip label", has_text="إذاعة المدينة").click()
    expect(two.locator(".hit")).to_have_count(2)
    expect(two.locator(".chip input:checked")).to_have_count(1)
    expect(one.locator(".hit")).to_have_count(2)

    for index in (0, 1):
        wait_for_size(page, index)
    assert frame_height(page, 0) > closed[0] + 150 and frame_height(page, 1) > closed[1] + 150
    assert theme_of(widget_frame(page, 0)) == ["dark", "rgb(21, 25, 31)", "rgb(225, 29, 72)"]
    assert (
        widget_frame(page, 1).evaluate("getComputedStyle(document.documentElement).fontSize")
        == "14px"
    )
    assert widget_frame(page, 1).evaluate(
        "document.documentElement.scrollWidth <= innerWidth"
    )  # 300 px wide, no sideways scrolling
    assert page.locator("iframe").nth(1).bounding_box()["width"] == 300  # type: ignore[index]

    heights = [frame_height(page, 0), frame_height(page, 1)]
    page.evaluate("window.postMessage({fahras: 'size', height: 5}, '*')")  # not from a frame
    page.wait_for_timeout(100)
    assert [frame_height(page, 0), frame_height(page, 1)] == heights

    styled = host_styles(page)
    assert styled["#after"].pop("y") > plain["#after"].pop("y")  # pushed down by the widget
    assert styled == plain  # the host's text: same place, same size, same style
    assert page.evaluate("document.styleSheets.length") == 1  # ours stay in the frames
    assert page.evaluate("history.length") == history  # searches replaced the frame's URL only
    assert page.url == host.origin + "/"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "embed-host.png", full_page=True)
    page.context.close()
    assert page.problems == []  # type: ignore[attr-defined]  # script errors, CSP violations


def test_elements_named_like_our_globals_do_not_break_the_widget(
    browser: Browser, sites: Sites
) -> None:
    """id="FahrasSearch" and <img name="currentScript"> on the host page (issue 15)."""
    page = open_page(browser)
    page.goto(sites.host.origin + "/clobbered")
    expect(page.locator("iframe")).to_have_count(1)
    wait_for_size(page, 0)
    search(page.frame_locator("iframe").first, "الكتاب")
    hits = page.frame_locator("iframe").first.locator(".hit")
    expect(hits).to_have_count(2)
    wait_for_size(page, 0)
    assert frame_height(page, 0) > 150  # the frame's size messages were received
    page.evaluate(
        """() => { const d = document.createElement('div');
                   d.setAttribute('data-fahras-search', ''); document.body.append(d);
                   window.FahrasSearch.mount(); }"""
    )
    expect(page.locator("iframe")).to_have_count(2)
    assert page.evaluate("document.getElementById('FahrasSearch').tagName") == "DIV"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "embed-clobbered-host.png", full_page=True)
    page.context.close()
    assert page.problems == []  # type: ignore[attr-defined]


def test_an_origin_not_allowed_is_refused_by_the_browser(browser: Browser, sites: Sites) -> None:
    page = open_page(browser)
    page.goto(sites.stranger.origin + "/")
    expect(page.locator("iframe")).to_have_count(2)
    policy = f"frame-ancestors 'self' {sites.host.origin}"

    def refusals() -> list[str]:
        return [p for p in page.problems if policy in p and "blocked" in p]  # type: ignore[attr-defined]

    for _ in range(50):  # the console reports each refusal as the frame loads
        if len(refusals()) == 2:
            break
        page.wait_for_timeout(50)
    assert len(refusals()) == 2, page.problems  # type: ignore[attr-defined]
    for index in (0, 1):
        assert widget_frame(page, index).url.startswith("chrome-error:")  # not our page
        assert frame_height(page, index) < 80  # never resized: nothing of ours runs there
    page.context.close()


def test_demo_page_writes_the_snippet_and_shows_it_live(browser: Browser, sites: Sites) -> None:
    page = open_page(browser, width=1280)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sites.fahras)
    page.goto(sites.fahras + "/embed/demo")
    snippet = page.locator("#snippet-line")
    expect(snippet).to_have_text(
        f'<script src="{sites.fahras}/widget.js" data-fahras-search async></script>'
    )
    page.select_option("#fixed-category", "ثقافة")
    page.check("#facets")
    page.check("#colours")
    page.fill("#accent", "#e11d48")
    expect(snippet).to_contain_text(
        'data-category="ثقافة" data-facets="on" data-accent="#e11d48" async'
    )
    preview = page.frame_locator(".demo-preview iframe")
    search(preview, "الكتاب")
    expect(preview.locator(".hit")).to_have_count(4)
    expect(preview.locator(".chips")).to_have_count(1)  # sources; the category is fixed
    wait_for_size(page, 0)
    page.locator("[data-copy=snippet-line]").click()
    expect(page.locator("#copy-status")).to_have_text("نُسخت الشيفرة.")
    assert page.evaluate("navigator.clipboard.readText()") == snippet.text_content()
    page.screenshot(path=ARTIFACTS / "embed-demo.png", full_page=True)
    page.context.close()
    assert page.problems == []  # type: ignore[attr-defined]
