"""The single writer as a separate process: SIGKILL between accept and commit loses nothing."""

import contextlib
import http.client
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import SAMPLE, build_index, free_port
from flask import Flask

from search.engine import SearchEngine, SearchRequest
from search.keys import KeyStore, Scope
from search.publisher import Publisher, elected
from search.store import writer_lock
from search.tasks import Action, TaskQueue, Write

BATCH = 300  # ANT articles: indexing them takes the writer a good second before its commit
STARTUP_SECONDS = 120  # generous: the machine is shared


@contextmanager
def worker(index_dir: Path, *extra: str) -> Iterator[subprocess.Popen[str]]:
    """`fahras worker` in its own process group, always stopped afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "search.cli", "worker", "--index", str(index_dir), *extra],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert process.stderr is not None
        process.stderr.close()


def wait_for_line(process: subprocess.Popen[str], wanted: str) -> str:
    """Read the worker's stderr until a line containing `wanted` (or fail after a long wait)."""
    assert process.stderr is not None
    found: list[str] = []

    def read() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            if wanted in line:
                found.append(line)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(STARTUP_SECONDS)
    assert found, f"the worker never printed {wanted!r}"
    return found[0]


@pytest.fixture
def accepted(
    tmp_path: Path, ant_slice: Path, make_app: Callable[..., Flask]
) -> tuple[Path, list[dict[str, object]], list[str]]:
    """An index of the sample, and BATCH ANT articles accepted over HTTP (202), not applied."""
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    key = KeyStore(index_dir).create("cms", Scope.WRITE).secret
    app = make_app(FAHRAS_INDEX=str(index_dir), FAHRAS_PUBLISH_WRITER="off")
    with ant_slice.open(encoding="utf-8") as lines:
        body = "".join(itertools.islice(lines, BATCH))
    response = app.test_client().post(
        "/api/documents",
        data=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.json
    tasks = response.json["tasks"]
    assert response.json["accepted"] == BATCH
    titles = [json.loads(line)["title"] for line in body.splitlines()]
    return index_dir, tasks, titles


def statuses(index_dir: Path, tasks: list[dict[str, object]]) -> set[str]:
    queue = TaskQueue(index_dir)
    return {queue.get(int(task["task"])).status for task in tasks}  # type: ignore[union-attr]


def doc_count(index_dir: Path) -> int:
    engine = SearchEngine(index_dir)
    try:
        return engine.doc_count()
    finally:
        engine.close()


def found(index_dir: Path, doc_id: str, title: str) -> bool:
    engine = SearchEngine(index_dir)
    try:
        hits = engine.search(SearchRequest(q=f'"{title}"', per_page=100)).hits
        return doc_id in [hit.id for hit in hits]
    finally:
        engine.close()


def test_sigkill_between_accept_and_commit_loses_nothing(
    accepted: tuple[Path, list[dict[str, object]], list[str]],
) -> None:
    index_dir, tasks, titles = accepted
    documents_before = doc_count(index_dir)
    with worker(index_dir) as process:
        wait_for_line(process, f"applying {BATCH} task(s)")
        os.killpg(process.pid, signal.SIGKILL)  # mid-batch: indexing, before the commit
        process.wait()
    assert statuses(index_dir, tasks) == {"queued"}
    assert doc_count(index_dir) == documents_before

    with worker(index_dir, "--once") as process:
        assert process.wait(timeout=600) == 0
    assert statuses(index_dir, tasks) == {"applied"}
    assert doc_count(index_dir) == documents_before + BATCH
    queue = TaskQueue(index_dir)
    generations = {queue.get(int(t["task"])).generation for t in tasks}  # type: ignore[union-attr]
    assert len(generations) == 1 and None not in generations
    for task, title in list(zip(tasks, titles, strict=True))[:: BATCH // 5]:
        assert found(index_dir, str(task["id"]), title), task


def test_sigkill_after_the_commit_reapplies_harmlessly(
    accepted: tuple[Path, list[dict[str, object]], list[str]],
) -> None:
    """Killed after its commit but before marking the tasks: the next writer applies them again."""
    index_dir, tasks, _ = accepted
    documents_before = doc_count(index_dir)
    queue = TaskQueue(index_dir)
    queue.finish = lambda *args, **kwargs: None  # type: ignore[method-assign]
    publisher = Publisher(index_dir)
    publisher.queue = queue
    publisher.apply_batch()  # committed, but the tasks were never marked
    assert statuses(index_dir, tasks) == {"queued"}
    assert doc_count(index_dir) == documents_before + BATCH

    with worker(index_dir, "--once") as process:
        assert process.wait(timeout=600) == 0
    assert statuses(index_dir, tasks) == {"applied"}
    assert doc_count(index_dir) == documents_before + BATCH


def test_a_writer_waits_for_fahras_index_and_for_the_election(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    (task,) = TaskQueue(index_dir).enqueue(
        [Write(Action.UPSERT, "x", 1, record={"id": "x", "title": "مكتبة", "body": "نص"})]
    )
    with writer_lock(index_dir):  # `fahras index` is running
        assert Publisher(index_dir).apply_batch() == 0
    assert TaskQueue(index_dir).get(task.task_id).status == "queued"  # type: ignore[union-attr]
    stop = threading.Event()
    with elected(index_dir, stop) as first:
        assert first
        stop.set()
        with elected(index_dir, stop) as second:  # another candidate gives up when stopped
            assert not second
    assert Publisher(index_dir).apply_batch() == 1
    assert TaskQueue(index_dir).get(task.task_id).status == "applied"  # type: ignore[union-attr]


def call(port: int, method: str, path: str, key: str, body: str = "") -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        connection.request(method, path, body=body.encode("utf-8"), headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


@contextmanager
def gunicorn(index_dir: Path, log: Path, **settings: str) -> Iterator[tuple[int, int]]:
    """Our gunicorn on `index_dir` in its own process group: (port, pid), once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "2"]
    env = {**os.environ, "FAHRAS_INDEX": str(index_dir), **settings}
    with log.open("w") as errors:
        server = subprocess.Popen(command, env=env, stderr=errors, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            with contextlib.suppress(OSError):
                if call(port, "GET", "/healthz", "")[0] == 200:
                    break
            assert time.monotonic() < deadline and server.poll() is None, log.read_text()
            time.sleep(0.2)
        yield port, server.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def test_a_killed_server_loses_no_accepted_write_and_the_next_one_applies_it(
    tmp_path: Path,
) -> None:
    """SIGKILL the whole server right after its 202; the next server's writer thread applies
    the task with no further request (gunicorn's post_worker_init starts it)."""
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    key = KeyStore(index_dir).create("cms", Scope.WRITE).secret
    article = {"id": "cms-1", "title": "مكتبة عامة جديدة في طرابلس", "body": "نص المقال"}
    body = json.dumps(article, ensure_ascii=False)
    with gunicorn(index_dir, tmp_path / "first.log", FAHRAS_PUBLISH_WRITER="off") as (port, pid):
        status, answer = call(port, "POST", "/api/documents", key, body)
        assert status == 202, answer
        os.killpg(pid, signal.SIGKILL)
    task = answer["tasks"][0]["task"]
    with gunicorn(index_dir, tmp_path / "second.log") as (port, _):
        deadline = time.monotonic() + STARTUP_SECONDS  # a generous wait, not a speed check
        while call(port, "GET", f"/api/tasks/{task}", key)[1]["status"] == "queued":
            assert time.monotonic() < deadline, "the task was never applied"
            time.sleep(0.2)
        assert call(port, "GET", f"/api/tasks/{task}", key)[1]["status"] == "applied"
        search = f"/api/search?q={quote('طرابلس')}"
        deadline = time.monotonic() + STARTUP_SECONDS  # workers reopen the index in the background
        while (found := call(port, "GET", search, key)[1]["results"]) == []:
            assert time.monotonic() < deadline, "the document never became searchable"
            time.sleep(0.2)
        assert [hit["id"] for hit in found] == ["cms-1"]


class RecordedStop(threading.Event):
    """A stop event that records how long the writer waits, and stops it after a few waits."""

    def __init__(self, waits: int) -> None:
        super().__init__()
        self.waited: list[float] = []
        self.left = waits

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.append(timeout or 0.0)
        self.left -= 1
        if self.left <= 0:
            self.set()
        return self.is_set()


def test_a_writer_that_cannot_write_backs_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = Publisher(tmp_path / "index")

    def disk_full() -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publisher, "apply_batch", disk_full)
    stop = RecordedStop(waits=10)
    publisher.run(stop)
    assert stop.waited[:3] == [1.0, 2.0, 4.0]
    assert stop.waited[-1] == 60.0


def test_a_burst_of_concurrent_writes_is_applied_in_few_commits(tmp_path: Path) -> None:
    """Four clients post 25 articles each to two gunicorn workers: all 100 are applied."""
    index_dir = tmp_path / "index"
    build_index([SAMPLE], index_dir)
    key = KeyStore(index_dir).create("cms", Scope.WRITE).secret
    tasks: list[int] = []
    refused: list[object] = []

    def client(port: int, number: int) -> None:
        for item in range(25):
            doc_id = f"burst-{number}-{item}"
            body = json.dumps({"id": doc_id, "title": "خبر عاجل", "body": f"رقم {doc_id}"})
            status, answer = call(port, "POST", "/api/documents", key, body)
            if status != 202:
                refused.append(answer)
                continue
            tasks.append(answer["tasks"][0]["task"])

    with gunicorn(index_dir, tmp_path / "server.log", FAHRAS_PUBLISH_RATE_LIMIT="0") as (port, _):
        clients = [threading.Thread(target=client, args=(port, n)) for n in range(4)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        assert not refused and len(set(tasks)) == 100
        deadline = time.monotonic() + STARTUP_SECONDS  # a generous wait, not a speed check
        queue = TaskQueue(index_dir)
        while queue.counts()["applied"] < 100:
            assert time.monotonic() < deadline, queue.counts()
            time.sleep(0.2)
    generations = {queue.get(task).generation for task in tasks}  # type: ignore[union-attr]
    assert len(generations) < 100  # batched: each commit applied several writes
    engine = SearchEngine(index_dir)
    try:
        assert engine.search(SearchRequest(q='"خبر عاجل"')).total == 100  # the phrase
    finally:
        engine.close()
