"""Arabic text reads right to left whatever its first word (issue 9 §2), on every face.

The seed article of ../shared/samples/ opens with a Latin caption ("camera icon…"): with
dir="auto" its page and its snippets read left to right. Each text now gets an explicit direction
from its letters, and Latin runs are isolated in <bdi>.
"""

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE, SHARED, build_index
from flask import Flask
from flask.testing import FlaskClient

from search.engine import SearchEngine, SearchRequest
from webapp.bidi import direction, html_direction, isolate_latin, paragraphs

SEED = SHARED / "samples" / "000_4107dc728df1f2b2.txt"
CAPTION_WORD = "تمركز"  # the first Arabic word of the caption, right after "camera icon"
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample and the seed article (a .txt file: no date, no source, no category)."""
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    folder = tmp_path_factory.mktemp("seed")
    shutil.copy(SEED, folder / SEED.name)
    index_dir = folder / "index"
    report = build_index([SAMPLE, folder / SEED.name], index_dir)
    assert report.added == 61 and not report.skipped
    return index_dir


@pytest.fixture(scope="module")
def seed_id(seed_index: Path) -> str:
    engine = SearchEngine(seed_index)
    try:
        hits = engine.search(SearchRequest(q=CAPTION_WORD)).hits
    finally:
        engine.close()
    assert len(hits) == 1
    return hits[0].id


@pytest.fixture
def seed_client(make_app: Callable[..., Flask], seed_index: Path) -> Iterator[FlaskClient]:
    yield make_app(FAHRAS_INDEX=str(seed_index)).test_client()


def text_of(client: FlaskClient, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("camera iconتمركز القوات الأمريكية في قرية الغنامة", "rtl"),
        ("Reuters: وزير الخارجية يصل إلى بيروت", "rtl"),
        ("2020", "rtl"),
        ("tag icon ع ع ع", "rtl"),
        ("The minister arrived in Beirut on Monday, قال", "ltr"),
    ],
)
def test_direction_goes_by_the_share_of_arabic_letters(text: str, expected: str) -> None:
    assert direction(text) == expected


def test_latin_runs_are_isolated_but_never_inside_tags_or_entities() -> None:
    html = "camera iconتمركز <mark>القوات</mark> &amp; Donald J. Trump، (AFP)."
    assert str(isolate_latin(html)) == (
        "<bdi>camera icon</bdi>تمركز <mark>القوات</mark> &amp; "
        "<bdi>Donald J. Trump</bdi>، (<bdi>AFP</bdi>)."
    )
    assert html_direction("<mark>Beirut</mark> &amp; <mark>Paris</mark>") == "ltr"


def test_paragraphs_each_get_a_direction() -> None:
    body = "camera iconتمركز القوات\n\nThe statement was published in English.\n\n\nقال البيان"
    assert [d for d, _ in paragraphs(body)] == ["rtl", "ltr", "rtl"]


def test_seed_document_page_reads_right_to_left(seed_client: FlaskClient, seed_id: str) -> None:
    html = text_of(seed_client, f"/doc/{seed_id}")
    body = html[html.index('<div class="doc-body">') :]
    directions = re.findall(r'<p dir="(\w+)">', body)
    assert directions and set(directions) == {"rtl"}
    assert "<bdi>camera icon</bdi>تمركز" in body
    assert 'dir="auto"' not in html.split("<main")[1].split("</main>")[0]
    assert re.search(r'<h1 dir="rtl">', html)


def test_document_without_metadata_has_no_metadata_box(
    seed_client: FlaskClient, seed_id: str
) -> None:
    assert 'class="doc-meta"' not in text_of(seed_client, f"/doc/{seed_id}")
    assert 'class="doc-meta"' in text_of(seed_client, "/doc/sample-001")


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (f"/search?q={CAPTION_WORD}", {}),  # the page
        (f"/search?q={CAPTION_WORD}", HTMX),  # the htmx fragment
        (f"/embed?q={CAPTION_WORD}", {}),  # the widget
        (f"/embed?q={CAPTION_WORD}", HTMX),
    ],
)
def test_a_snippet_starting_in_latin_reads_right_to_left(
    seed_client: FlaskClient, seed_id: str, url: str, headers: dict[str, str]
) -> None:
    html = text_of(seed_client, url, **headers)
    snippet = re.search(r'<p class="hit-snippet" dir="(\w+)">(.*?)</p>', html, re.DOTALL)
    assert snippet is not None
    assert snippet[1] == "rtl" and snippet[2].startswith("<bdi>camera icon</bdi>")
    title = re.search(r'class="hit-title"[^>]*dir="(\w+)"|<a [^>]*dir="(\w+)"', html)
    assert title is not None and "rtl" in title.groups()
    assert 'dir="auto"' not in html.split("</form>")[-1]  # none left on stored text
