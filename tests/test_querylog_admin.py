"""/admin (issue 14 §2): search analytics and index health for editors, behind a write key."""

import base64
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser
from werkzeug.serving import make_server

from search.keys import KeyStore, Scope
from search.querylog import LoggedSearch, QueryLog
from search.snapshot import take_snapshot
from search.tasks import Action, TaskQueue, Write
from webapp import create_app

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
MISSING = "قنطريسة"


@pytest.fixture
def index_copy(sample_index: Path, tmp_path: Path) -> Path:
    return take_snapshot(sample_index, tmp_path / "ix").path


@pytest.fixture
def keys(index_copy: Path) -> dict[str, str]:
    store = KeyStore(index_copy)
    return {
        "write": store.create("editors", Scope.WRITE).secret,
        "read": store.create("widget", Scope.READ).secret,
    }


@pytest.fixture
def app(make_app: Callable[..., Flask], index_copy: Path) -> Flask:
    return make_app(FAHRAS_INDEX=str(index_copy), FAHRAS_QUERY_LOG="on")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def basic(key: str, user: str = "editor") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()}


def search_a_little(client: FlaskClient) -> None:
    for query in ("الكتاب", "الكتاب", "الانتخابات", MISSING):
        assert client.get(f"/search?q={query}").status_code == 200
    assert client.get(f"/search?q={MISSING}&category=ثقافة&from=2020").status_code == 200


def test_admin_needs_a_write_key_and_the_browser_is_asked_for_it(
    app: Flask, keys: dict[str, str]
) -> None:
    client = app.test_client()
    refused = client.get("/admin")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith('Basic realm="fahras admin"')
    assert refused.mimetype == "text/html" and "مفتاح كتابة" in refused.text
    assert client.get("/admin", headers=basic("fahras_00000000_wrong")).status_code == 401
    assert client.get("/admin", headers={"Authorization": "Basic %%%"}).status_code == 401
    assert client.get("/admin", headers=basic(keys["read"])).status_code == 403
    assert client.get("/admin", headers=bearer(keys["read"])).status_code == 403
    for headers in (basic(keys["write"]), basic(keys["write"], user=""), bearer(keys["write"])):
        allowed = client.get("/admin", headers=headers)
        assert allowed.status_code == 200
        assert allowed.headers["Cache-Control"] == "no-store"
    api = client.get("/api/admin")
    assert api.status_code == 401 and api.is_json
    assert client.get("/api/admin", headers=bearer(keys["read"])).status_code == 403


def test_admin_shows_the_searches_a_chart_and_the_index_health(
    app: Flask, keys: dict[str, str], index_copy: Path
) -> None:
    client = app.test_client()
    search_a_little(client)
    QueryLog(index_copy).record(LoggedSearch("بطيء جدا", "", 3, 1234.0))
    TaskQueue(index_copy).enqueue([Write(Action.DELETE, "sample-001", 1)])

    page = client.get("/admin?days=7", headers=basic(keys["write"]))
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html and " style=" not in html  # the strict CSP holds
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    top = re.search(r'id="top-title".*?</table>', html, re.S)
    assert top is not None and top.group().index("الكتاب") < top.group().index("الانتخابات")
    missing = re.search(r'id="missing-title".*?</table>', html, re.S)
    assert missing is not None and "قنطريسه" in missing.group()
    assert "التصنيف: ثقافة · من: 2020" in missing.group()
    slow = re.search(r'id="slow-title".*?</table>', html, re.S)
    assert slow is not None and slow.group().index("بطيء جدا") < slow.group().index("الكتاب")
    assert len(re.findall(r'<rect class="bar-all"', html)) == 7
    assert "٦ عمليات بحث في آخر ٧ أيام، منها ٢ بلا نتائج" in html

    data = client.get("/api/admin?days=7", headers=bearer(keys["write"])).get_json()
    assert data["health"]["documents"] == 60
    assert data["health"]["tasks"]["queued"] == 1
    assert data["health"]["snapshot"]["generation"] == data["health"]["generation"]
    assert data["queries"]["searches"] == 6
    top = [(row["query"], row["searches"]) for row in data["queries"]["top"]]
    assert top == [("الكتاب", 2), ("قنطريسه", 2), ("الانتخابات", 1), ("بطيء جدا", 1)]
    assert data["queries"]["slowest"][0]["took_ms"] == 1234.0
    health = re.search(r'class="admin-health".*?</dl>', html, re.S)
    assert health is not None and "٦٠" in health.group() and "في الانتظار" in health.group()


def test_admin_says_when_the_query_log_is_off(
    make_app: Callable[..., Flask], index_copy: Path, keys: dict[str, str]
) -> None:
    client = make_app(FAHRAS_INDEX=str(index_copy)).test_client()
    page = client.get("/admin", headers=basic(keys["write"]))
    assert page.status_code == 200 and "FAHRAS_QUERY_LOG=on" in page.text
    data = client.get("/api/admin", headers=bearer(keys["write"])).get_json()
    assert data["query_log"] == "off" and data["queries"] is None
    assert client.get("/admin?days=0", headers=basic(keys["write"])).status_code == 400
    assert client.get("/api/admin?days=x", headers=bearer(keys["write"])).status_code == 400


@pytest.fixture
def live_admin(index_copy: Path, keys: dict[str, str]) -> Iterator[str]:
    app = create_app({"FAHRAS_INDEX": str(index_copy), "FAHRAS_QUERY_LOG": "on"})
    search_a_little(app.test_client())
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()
        app.extensions["fahras"].close()


def test_admin_in_a_browser_logs_in_with_the_key_and_breaks_no_policy(
    browser: Browser, live_admin: str, keys: dict[str, str]
) -> None:
    context = browser.new_context(
        base_url=live_admin,
        http_credentials={"username": "editor", "password": keys["write"]},
        viewport={"width": 1280, "height": 900},
    )
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.goto("/admin")
        assert page.locator("h1").inner_text() == "حالة الفهرس"
        assert page.locator("svg rect.bar-all").count() == 30
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "admin.png", full_page=True, caret="initial")
    finally:
        context.close()
    assert problems == []  # no CSP violation, no failed resource
