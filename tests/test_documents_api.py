"""Documents over HTTP (issue 13): publish, delete, read, tasks, keys, limits, private search."""

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE, build_index
from flask import Flask
from flask.testing import FlaskClient

from search.engine import SearchEngine, SearchRequest
from search.keys import KeyStore, Scope
from search.publisher import Publisher
from search.tasks import TaskQueue

ARTICLE = {
    "id": "cms-1",
    "title": "افتتاح مكتبة عامة جديدة في طرابلس",
    "body": "افتتحت البلدية مكتبة عامة جديدة تضم عشرين ألف كتاب وقاعة للمطالعة.",
    "category": "ثقافة",
    "date": "2024-05-01",
    "desk": "المحليات",
}


class Newsroom:
    """A writable index of the sample articles, its keys, and an app over it."""

    def __init__(self, index_dir: Path, app: Flask) -> None:
        self.index_dir = index_dir
        self.app = app
        self.client: FlaskClient = app.test_client()
        store = KeyStore(index_dir)
        self.write_key = store.create("cms", Scope.WRITE).secret
        self.read_key = store.create("site", Scope.READ).secret

    def headers(self, key: str | None = None, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.write_key}", **more}

    def post(self, body: object, key: str | None = None, **headers: str) -> object:
        data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
        return self.client.post("/api/documents", data=data, headers=self.headers(key, **headers))

    def task(self, task_id: int) -> dict[str, object]:
        response = self.client.get(f"/api/tasks/{task_id}", headers=self.headers())
        assert response.status_code == 200, response.json
        return response.json

    def apply(self) -> None:
        """What the single writer does: here, in the test's thread."""
        while Publisher(self.index_dir).apply_batch():
            pass

    def search(self, q: str) -> list[str]:
        engine = SearchEngine(self.index_dir)
        try:
            return [hit.id for hit in engine.search(SearchRequest(q=q, per_page=100)).hits]
        finally:
            engine.close()


@pytest.fixture
def newsroom(tmp_path: Path, make_app: Callable[..., Flask]) -> Newsroom:
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    return Newsroom(index_dir, make_app(FAHRAS_INDEX=str(index_dir), FAHRAS_PUBLISH_WRITER="off"))


def test_publish_one_article_then_find_it(newsroom: Newsroom) -> None:
    response = newsroom.post(ARTICLE)
    assert response.status_code == 202, response.json
    (task,) = response.json["tasks"]
    assert response.json["accepted"] == 1 and response.json["refused"] == 0
    assert task["status"] == "queued" and task["id"] == "cms-1" and task["line"] == 1
    assert response.headers["Location"] == task["url"] == f"/api/tasks/{task['task']}"
    assert newsroom.task(task["task"])["status"] == "queued"
    assert "cms-1" not in newsroom.search("مكتبة طرابلس")

    newsroom.apply()
    done = newsroom.task(task["task"])
    assert done["status"] == "applied" and done["generation"] > 0 and done["problem"] is None
    assert newsroom.search("مكتبة طرابلس")[:1] == ["cms-1"]  # first: it has both words
    stored = newsroom.client.get("/api/documents/cms-1").json
    assert stored["title"] == ARTICLE["title"] and stored["category"] == ["ثقافة"]
    assert stored["date"].startswith("2024-05-01") and stored["extra"] == {"desk": "المحليات"}


def test_an_array_and_ndjson_each_give_a_task_per_record(newsroom: Newsroom) -> None:
    second = ARTICLE | {"id": "cms-2", "title": "مكتبة متنقلة تجوب قرى عكار"}
    array = newsroom.post([ARTICLE, second])
    assert [t["id"] for t in array.json["tasks"]] == ["cms-1", "cms-2"]
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in (ARTICLE, second, ARTICLE))
    ndjson = newsroom.post(lines, **{"Content-Type": "application/x-ndjson"})
    assert ndjson.status_code == 202
    assert [t["line"] for t in ndjson.json["tasks"]] == [1, 2, 3]
    assert ndjson.json["tasks"][2]["problem"] == "line 3: duplicate id 'cms-1' (first at line 1)"
    untyped = newsroom.post(lines.replace("cms-", "web-"))  # NDJSON sent without its type
    assert [t["status"] for t in untyped.json["tasks"]] == ["queued", "queued", "failed"]
    newsroom.apply()
    assert sorted(newsroom.search("طرابلس")) == ["cms-1", "web-1"]
    assert sorted(newsroom.search("عكار")) == ["cms-2", "web-2"]


def test_a_bad_record_fails_its_own_task_only(newsroom: Newsroom) -> None:
    body = "\n".join(
        [
            json.dumps(ARTICLE, ensure_ascii=False),
            '{"id": "broken", "title": ',
            json.dumps({"id": "empty", "title": " ", "body": ""}),
            "[1, 2]",
        ]
    )
    response = newsroom.post(body, **{"Content-Type": "application/x-ndjson"})
    assert response.status_code == 202
    tasks = response.json["tasks"]
    assert response.json["accepted"] == 1 and response.json["refused"] == 3
    assert [t["status"] for t in tasks] == ["queued", "failed", "failed", "failed"]
    assert tasks[1]["problem"].startswith("line 2: invalid JSON:")
    assert tasks[2]["problem"] == "line 3: no text: both title and body are empty or missing"
    assert tasks[3]["problem"] == "line 4: expected a JSON object, got an array"
    assert newsroom.task(tasks[2]["task"])["problem"] == tasks[2]["problem"]
    newsroom.apply()
    assert newsroom.task(tasks[0]["task"])["status"] == "applied"
    assert newsroom.search("مكتبة طرابلس")[:1] == ["cms-1"]  # first: it has both words


def test_a_record_without_text_alone_is_a_400_with_its_task(newsroom: Newsroom) -> None:
    response = newsroom.post({"id": "x", "title": "", "category": "رياضة"})
    assert response.status_code == 400
    error = response.json["error"]
    assert "لم يُقبل" in error["message"] and "each task says why" in error["detail"]
    (task,) = response.json["tasks"]
    assert task["status"] == "failed" and task["problem"].startswith("line 1: no text")


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        ("", "application/json", "the body is empty"),
        ("   \n", "application/json", "the body is empty"),
        ("[]", "application/json", "holds no record"),
        (b"\xff\xfe\x00garbage", "application/json", "not valid UTF-8"),
    ],
)
def test_a_body_without_records_is_a_400(
    newsroom: Newsroom, body: str | bytes, content_type: str, detail: str
) -> None:
    response = newsroom.post(body, **{"Content-Type": content_type})
    assert response.status_code == 400
    assert detail in response.json["error"]["detail"]
    assert any("\u0600" <= c <= "\u06ff" for c in response.json["error"]["message"])
    assert TaskQueue(newsroom.index_dir).counts() == {"queued": 0, "applied": 0, "failed": 0}


def test_malformed_json_fails_with_the_clis_wording(newsroom: Newsroom) -> None:
    response = newsroom.post('{"id": "a", "title": "مكتبة"', **{"Content-Type": "application/json"})
    assert response.status_code == 400
    (task,) = response.json["tasks"]
    assert task["problem"].startswith("line 1: invalid JSON: ")


def test_delete_a_document(newsroom: Newsroom) -> None:
    assert "sample-001" in newsroom.search("معرض بيروت الدولي للكتاب")
    response = newsroom.client.delete("/api/documents/sample-001", headers=newsroom.headers())
    assert response.status_code == 202
    (task,) = response.json["tasks"]
    assert task["action"] == "delete" and task["id"] == "sample-001"
    newsroom.apply()
    assert newsroom.task(task["task"])["status"] == "applied"
    assert "sample-001" not in newsroom.search("معرض بيروت الدولي للكتاب")
    assert newsroom.client.get("/api/documents/sample-001").status_code == 404


def test_the_latest_write_of_an_id_wins_within_a_batch(newsroom: Newsroom) -> None:
    newsroom.post(ARTICLE)
    newsroom.post(ARTICLE | {"title": "مكتبة عامة في صيدا"})
    newsroom.client.delete("/api/documents/sample-002", headers=newsroom.headers())
    newsroom.post({"id": "sample-002", "title": "جناح الأطفال يعود", "body": "نص جديد"})
    newsroom.apply()
    assert newsroom.search("صيدا") == ["cms-1"] and newsroom.search("طرابلس") == []
    assert newsroom.client.get("/api/documents/sample-002").json["body"] == "نص جديد"


def test_unknown_task_and_unknown_document_are_404s(newsroom: Newsroom) -> None:
    task = newsroom.client.get("/api/tasks/99999", headers=newsroom.headers())
    assert task.status_code == 404 and task.json["error"]["detail"] == "No task with this number."
    document = newsroom.client.get("/api/documents/no-such-id")
    assert document.status_code == 404 and "No document" in document.json["error"]["detail"]
    assert newsroom.client.get("/api/documents/no-such-id/related").status_code == 404


def test_writes_need_a_write_key(newsroom: Newsroom) -> None:
    client = newsroom.client
    assert client.post("/api/documents", json=ARTICLE).status_code == 401
    wrong = newsroom.post(ARTICLE, key=newsroom.write_key[:-2])
    assert wrong.status_code == 401 and "wrong" in wrong.json["error"]["detail"]
    read_only = newsroom.post(ARTICLE, key=newsroom.read_key)
    assert read_only.status_code == 403 and "write scope" in read_only.json["error"]["detail"]
    assert client.delete("/api/documents/sample-001").status_code == 401
    refused = client.delete(
        "/api/documents/sample-001", headers=newsroom.headers(newsroom.read_key)
    )
    assert refused.status_code == 403
    assert client.get("/api/tasks/1").status_code == 401
    assert TaskQueue(newsroom.index_dir).counts()["queued"] == 0


def test_a_body_over_the_size_limit_is_a_413(
    tmp_path: Path, make_app: Callable[..., Flask]
) -> None:
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    room = Newsroom(index_dir, make_app(FAHRAS_INDEX=str(index_dir), FAHRAS_PUBLISH_MAX_MB=1))
    big = ARTICLE | {"body": "كلمة " * 300_000}  # ~3 MB
    response = room.post(big)
    assert response.status_code == 413
    assert "larger than 1 MB" in response.json["error"]["detail"]
    assert "ميغابايت" in response.json["error"]["message"]
    assert room.post(ARTICLE | {"body": "كلمة " * 50_000}).status_code == 202  # 0.5 MB: over 16 KB


def test_each_key_has_its_own_write_rate(tmp_path: Path, make_app: Callable[..., Flask]) -> None:
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    room = Newsroom(index_dir, make_app(FAHRAS_INDEX=str(index_dir), FAHRAS_PUBLISH_RATE_LIMIT=2))
    other = KeyStore(index_dir).create("second cms", Scope.WRITE).secret
    assert [room.post(ARTICLE).status_code for _ in range(3)] == [202, 202, 429]
    limited = room.post(ARTICLE)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "too many write requests" in limited.json["error"]["detail"]
    assert room.post(ARTICLE, key=other).status_code == 202


@pytest.fixture
def private_archive(tmp_path: Path, make_app: Callable[..., Flask]) -> Newsroom:
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    app = make_app(FAHRAS_INDEX=str(index_dir), FAHRAS_SEARCH_KEYS="required")
    return Newsroom(index_dir, app)


@pytest.mark.parametrize(
    "url",
    [
        "/api/search?q=الكتاب",
        "/api/analyze?text=الكتاب",
        "/api/documents/sample-001",
        "/api/documents/sample-001/related",
        "/embed?q=الكتاب",
    ],
)
def test_a_private_archive_needs_a_read_key_for_the_api(
    private_archive: Newsroom, url: str
) -> None:
    client, room = private_archive.client, private_archive
    assert client.get(url).status_code == 401
    assert client.get(url, headers=room.headers(room.read_key)).status_code == 200
    assert client.get(url, headers=room.headers(room.write_key)).status_code == 200


def test_a_private_archive_keeps_its_pages_open(private_archive: Newsroom) -> None:
    client = private_archive.client
    for url in ("/", "/search?q=الكتاب", "/doc/sample-001", "/healthz", "/api/suggest?q=الكت"):
        assert client.get(url).status_code == 200, url


def test_search_is_open_by_default(newsroom: Newsroom) -> None:
    assert newsroom.client.get("/api/search?q=الكتاب").status_code == 200
    assert newsroom.client.get("/api/documents/sample-001").status_code == 200


@pytest.fixture
def threaded(tmp_path: Path, make_app: Callable[..., Flask]) -> Newsroom:
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    return Newsroom(index_dir, make_app(FAHRAS_INDEX=str(index_dir)))


def test_the_web_apps_writer_thread_applies_accepted_writes(threaded: Newsroom) -> None:
    (task,) = threaded.post(ARTICLE).json["tasks"]
    deadline = time.monotonic() + 60  # a generous wait for the thread, not a speed check
    while threaded.task(task["task"])["status"] == "queued" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert threaded.task(task["task"])["status"] == "applied"
    assert threaded.search("مكتبة طرابلس")[:1] == ["cms-1"]


def test_a_private_archives_widget_carries_its_key(private_archive: Newsroom) -> None:
    client, key = private_archive.client, private_archive.read_key
    assert client.get("/embed?q=الكتاب").status_code == 401
    assert client.get("/embed?q=الكتاب&key=fahras_00000000_wrong").status_code == 401
    frame = client.get(f"/embed?q=الكتاب&key={key}")
    assert frame.status_code == 200
    page = frame.get_data(as_text=True)
    assert f'<input type="hidden" name="key" value="{key}">' in page  # the frame's next searches
    assert client.get(f"/embed?q=الكتاب&key={private_archive.write_key}").status_code == 200


def test_a_private_archives_api_may_be_called_from_a_browser(private_archive: Newsroom) -> None:
    preflight = private_archive.client.options(
        "/api/search",
        headers={
            "Origin": "https://news.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Headers"] == "Authorization"


def test_a_finished_task_keeps_no_copy_of_the_article(newsroom: Newsroom) -> None:
    (task,) = newsroom.post(ARTICLE).json["tasks"]
    queue = TaskQueue(newsroom.index_dir)
    assert queue.get(task["task"]).record == ARTICLE  # type: ignore[union-attr]
    newsroom.apply()
    assert queue.get(task["task"]).record is None  # type: ignore[union-attr]
