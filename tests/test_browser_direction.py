"""The seed article in a real browser (issue 9 §2): Arabic reads right to left on every face.

Chromium lays the pages out; we check where the Latin caption that opens the seed article lands
(at the right, where an Arabic line starts) and save screenshots of the document page, a snippet
that starts in Latin and the widget, at desktop and phone width, to tests/artifacts/.
"""

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE, SHARED, build_index
from playwright.sync_api import Browser, Locator, Page, expect
from werkzeug.serving import make_server

from search.engine import SearchEngine, SearchRequest
from webapp import create_app

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SEED = SHARED / "samples" / "000_4107dc728df1f2b2.txt"
CAPTION_WORD = "تمركز"  # right after the Latin "camera icon" that opens the seed article
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    folder = tmp_path_factory.mktemp("seed")
    shutil.copy(SEED, folder / SEED.name)
    index_dir = folder / "index"
    assert build_index([SAMPLE, folder / SEED.name], index_dir).added == 61
    return index_dir


@pytest.fixture(scope="module")
def server(seed_index: Path) -> Iterator[str]:
    app = create_app({"FAHRAS_INDEX": str(seed_index), "FAHRAS_TYPING_DELAY_MS": 150})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()
    app.extensions["fahras"].close()


@pytest.fixture(scope="module")
def seed_id(seed_index: Path) -> str:
    engine = SearchEngine(seed_index)
    try:
        return engine.search(SearchRequest(q=CAPTION_WORD)).hits[0].id
    finally:
        engine.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server, viewport=VIEWPORTS[request.param])
    context.set_default_timeout(10_000)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: m.type == "error" and problems.append(m.text))
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.viewport_name = request.param  # type: ignore[attr-defined]
    try:
        yield opened
    finally:
        context.close()
    assert problems == []  # script errors, CSP violations


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{page.viewport_name}-{name}.png"  # type: ignore[attr-defined]
    page.screenshot(path=path, full_page=True, caret="initial")


def starts_at_the_right(block: Locator, first: Locator) -> None:
    """`block` is laid out right to left and `first` (its opening run) sits at its right edge."""
    assert block.evaluate("e => getComputedStyle(e).direction") == "rtl"
    outer, inner = block.bounding_box(), first.bounding_box()
    assert outer is not None and inner is not None
    assert abs((outer["x"] + outer["width"]) - (inner["x"] + inner["width"])) < 2, (outer, inner)


def test_seed_document_page(page: Page, seed_id: str) -> None:
    page.goto(f"/doc/{seed_id}")
    caption = page.locator(".doc-body p").first
    starts_at_the_right(caption, caption.locator("bdi").first)
    assert page.locator(".doc-meta").count() == 0  # a .txt file: no metadata, no empty box
    shot(page, "seed-document")


def test_snippet_starting_in_latin(page: Page) -> None:
    page.goto(f"/search?q={CAPTION_WORD}")
    snippet = page.locator(".hit-snippet").first
    starts_at_the_right(snippet, snippet.locator("bdi").first)
    shot(page, "seed-snippet")


def test_widget(page: Page) -> None:
    page.goto("/embed/demo")
    frame = page.frame_locator(".demo-preview iframe")
    frame.locator("#q").press_sequentially(CAPTION_WORD, delay=20)
    answer = frame.locator("#results .results-body")
    expect(answer).to_have_attribute("data-query", CAPTION_WORD)  # not a half-typed word's
    expect(frame.locator("#results")).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    snippet = frame.locator(".hit-snippet").first
    starts_at_the_right(snippet, snippet.locator("bdi").first)
    page.locator(".demo-preview").scroll_into_view_if_needed()
    shot(page, "seed-widget")
