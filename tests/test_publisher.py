"""The single writer as a separate process: SIGKILL between accept and commit loses nothing."""

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import SAMPLE, build_index
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
