"""The pages in a real browser (Playwright driving Debian's chromium) against a real server.

Checks what only a browser shows: search as you type without a page load, facets, history,
no JavaScript, the phone layout, the live region, no CSP violations. Screenshots of the main
states go to tests/artifacts/ (git-ignored) for a human to look at.
"""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from webapp import create_app

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
BOOK = "الكتاب"


@pytest.fixture(scope="module")
def server(sample_index: Path) -> Iterator[str]:
    """The app on a free local port, served by werkzeug in a thread."""
    app = create_app({"FAHRAS_INDEX": str(sample_index), "FAHRAS_TYPING_DELAY_MS": 150})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()
    app.extensions["fahras"].close()


def open_page(browser: Browser, server: str, viewport: dict[str, int], js: bool = True) -> Page:
    context = browser.new_context(base_url=server, viewport=viewport, java_script_enabled=js)
    context.set_default_timeout(5000)
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.problems.append(str(e)))  # type: ignore[attr-defined]
    return page


@contextmanager
def opened(
    browser: Browser, server: str, viewport: dict[str, int], js: bool = True
) -> Iterator[Page]:
    """A page in a fresh context, closed however the test ends; then no script error is allowed."""
    page = open_page(browser, server, viewport, js)
    try:
        yield page
    finally:
        page.context.close()
    assert page.problems == []  # type: ignore[attr-defined]  # script errors, CSP violations


@pytest.fixture
def desktop(browser: Browser, server: str) -> Iterator[Page]:
    with opened(browser, server, DESKTOP) as page:
        yield page


@pytest.fixture
def phone(browser: Browser, server: str) -> Iterator[Page]:
    with opened(browser, server, PHONE) as page:
        yield page


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot; caret="initial" injects no <style> (the CSP would refuse it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True, caret="initial")


def status(page: Page) -> str:
    return page.locator('[role="status"]').inner_text()


def expect_status(page: Page, start: str) -> None:
    """Wait until the live region announces a text starting with `start`."""
    expect(page.locator('[role="status"]')).to_have_text(re.compile("^" + start))


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_typing_updates_results_without_a_page_load(desktop: Page) -> None:
    desktop.goto("/")
    shot(desktop, "desktop-home")
    desktop.evaluate("window.sameDocument = true")
    desktop.locator("#q").press_sequentially(BOOK, delay=20)
    expect_status(desktop, "٥ نتائج")
    assert desktop.locator(".hit mark").count() > 0
    assert desktop.evaluate("window.sameDocument") is True
    assert desktop.evaluate("document.activeElement.id") == "q"
    expect(desktop).to_have_url(re.compile(r"/search\?q=%D8%A7%D9%84%D9%83%D8%AA%D8%A7%D8%A8$"))
    expect(desktop).to_have_title(f"{BOOK} — فهرس")
    shot(desktop, "desktop-results")


def test_clicking_a_facet_changes_counts_and_url(desktop: Page) -> None:
    desktop.goto(f"/search?q={BOOK}")
    sources = desktop.locator("#facets fieldset:nth-of-type(2) .count").all_inner_texts()
    desktop.locator("label", has_text="ثقافة").click()
    desktop.wait_for_url("**category=**")
    expect_status(desktop, "٤ نتائج")
    assert desktop.locator("#facets fieldset:nth-of-type(2) .count").all_inner_texts() != sources
    checkbox = desktop.locator("input[value='ثقافة']")
    expect(checkbox).to_be_checked()
    expect(checkbox).to_be_focused()  # htmx gives focus back to the new checkbox with its id
    assert desktop.locator(".chip").inner_text().startswith("إزالة")


def test_back_restores_the_previous_results(desktop: Page) -> None:
    desktop.goto(f"/search?q={BOOK}")
    desktop.locator("label", has_text="ثقافة").click()
    desktop.wait_for_url("**category=**")
    expect_status(desktop, "٤ نتائج")
    desktop.go_back()
    expect_status(desktop, "٥ نتائج")
    assert "category" not in desktop.url
    assert not desktop.locator("input[value='ثقافة']").is_checked()
    assert desktop.locator("#q").input_value() == BOOK
    desktop.go_forward()
    expect_status(desktop, "٤ نتائج")
    assert desktop.locator("input[value='ثقافة']").is_checked()


def settled(page: Page, query: str) -> None:
    """Wait until the results shown are those for `query`: no search is left in flight."""
    expect(page.locator("#results .results-body")).to_have_attribute("data-query", query)
    expect(page.locator("#results")).not_to_have_class(re.compile(r"\bhtmx-request\b"))


def test_autocomplete_with_the_keyboard(desktop: Page) -> None:
    desktop.goto("/")
    box = desktop.locator("#q")
    box.press_sequentially("الذك", delay=20)
    options = desktop.locator('#suggestions [role="option"]')
    expect(options.first).to_have_text(re.compile("^الذك"))
    expect(options.first).to_have_attribute("dir", "rtl")
    expect(box).to_have_attribute("aria-expanded", "true")
    settled(desktop, "الذك")  # search as you type is done: nothing will redraw the list
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-1")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    chosen = options.nth(1).inner_text()
    box.press("Enter")
    settled(desktop, chosen)  # the chosen completion was searched
    expect(box).to_have_value(chosen)
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially(" ج", delay=20)
    expect(options.first).to_have_text(re.compile("^" + re.escape(chosen + " ج")))
    box.press("Escape")
    expect(desktop.locator("#suggestions")).to_be_hidden()
    expect(box).to_have_value(chosen + " ج")
    settled(desktop, chosen + " ج")  # close the page only once its last search is answered


def test_did_you_mean_and_paging_update_in_place(desktop: Page) -> None:
    desktop.goto("/search?q=كتبب&typos=off")
    desktop.locator(".did-you-mean a").click()
    desktop.wait_for_url("**q=%D9%83%D8%AA%D8%A8")
    expect(desktop.locator("#q")).to_have_value("كتب")
    desktop.goto("/search?per_page=5")
    desktop.locator(".pager a[rel=next]").click()
    desktop.wait_for_url("**page=2")
    expect(desktop.locator("#results-heading")).to_be_focused()
    assert "الصفحة ٢ من ١٢" in status(desktop)


def test_search_works_without_javascript(browser: Browser, server: str) -> None:
    with opened(browser, server, DESKTOP, js=False) as page:
        page.goto("/")
        page.fill("#q", BOOK)
        page.press("#q", "Enter")
        page.wait_for_url("**/search?q=**")
        expect_status(page, "٥ نتائج")
        assert page.locator(".hit mark").count() > 0
        page.locator("input[value='ثقافة']").check()
        page.locator("button.apply").click()
        page.wait_for_url("**category=**")
        expect_status(page, "٤ نتائج")


def test_phone_layout_has_no_horizontal_scroll(phone: Page) -> None:
    phone.goto("/")
    assert no_horizontal_scroll(phone)
    shot(phone, "phone-home")
    phone.locator("#q").press_sequentially(BOOK, delay=20)
    phone.wait_for_selector(".hit mark")
    assert phone.locator("#facets").is_hidden()  # behind the button
    assert no_horizontal_scroll(phone)
    shot(phone, "phone-results")
    phone.locator(".filters-toggle").click()
    assert phone.locator("#facets").is_visible() and no_horizontal_scroll(phone)
    shot(phone, "phone-facets-open")
    phone.locator("label", has_text="ثقافة").click()
    phone.wait_for_url("**category=**")
    expect_status(phone, "٤ نتائج")  # the update is in before the page closes
    assert phone.locator("#facets").is_visible()  # the panel stays open across updates


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_document_and_zero_results_pages(
    browser: Browser, server: str, viewport: dict[str, int], name: str
) -> None:
    with opened(browser, server, viewport) as page:
        page.goto(f"/search?q={BOOK}")
        page.locator(".hit-title a").first.click()
        page.wait_for_url("**/doc/**")
        assert page.locator(".doc-body mark").count() > 0 and no_horizontal_scroll(page)
        shot(page, f"{name}-document")
        page.goto("/search?q=xyzzy&category=رياضة")
        assert "لا نتائج" in status(page) and no_horizontal_scroll(page)
        shot(page, f"{name}-zero-results")


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_typo_sentence_and_its_link_to_the_typed_word_only(
    browser: Browser, server: str, viewport: dict[str, int], name: str
) -> None:
    """مدرصة is searched as مدرسة too, and one click (htmx, in place) searches مدرصة only."""
    with opened(browser, server, viewport) as page:
        page.goto("/")
        page.locator("#q").press_sequentially("مدرصة", delay=20)
        sentence = page.locator(".typo-notice")
        expect(sentence).to_contain_text("فعرضنا نتائج «مدرسة» أيضًا")
        assert page.locator(".hit mark").count() > 0 and no_horizontal_scroll(page)
        shot(page, f"{name}-typo")
        sentence.locator("a.only-typed").click()
        page.wait_for_url("**typos=off**")
        expect_status(page, "لا نتائج")
        expect(page.locator(".did-you-mean")).to_contain_text("مدرسة")
        assert page.locator(".typo-notice").count() == 0


def test_typo_link_works_without_javascript(browser: Browser, server: str) -> None:
    with opened(browser, server, PHONE, js=False) as page:
        page.goto("/search?q=مدرصة")
        page.locator(".typo-notice a.only-typed").click()
        page.wait_for_url("**typos=off**")
        assert page.locator(".typo-notice").count() == 0
        assert "لا نتائج" in status(page)
