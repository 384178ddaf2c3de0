"""/healthz on a damaged index (issue 16 §2): a 503 saying what is wrong, not "ok".

Readers got a 500 on every search while /healthz said 200. Each test damages a copy of the
sample index and asks the app; the cache is tested with a fake clock.
"""

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from test_damage import damage

from search.health import HEALTH_SECONDS, HealthCheck


@pytest.fixture
def index_copy(sample_index: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ix"
    shutil.copytree(sample_index, copy)
    return copy


def health(app: Flask) -> tuple[int, dict[str, object]]:
    response = app.test_client().get("/healthz")
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


# Whoosh leaves the files of a reader it failed to open for the garbage collector to close.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    ("suffix", "how", "named"),
    [
        (".pst", "cut", True),
        ("._stored.col", "empty", True),
        ("._stored.col", "cut", True),
        (".trm", "cut", True),
        (".toc", "cut", True),
    ],
)
def test_a_damaged_index_is_a_503_saying_what_is_wrong(
    index_copy: Path, make_app: Callable[..., Flask], suffix: str, how: str, named: bool
) -> None:
    path = damage(index_copy, suffix, how)
    status, answer = health(make_app(FAHRAS_INDEX=str(index_copy)))
    assert status == 503, answer
    assert answer["status"] == "damaged" and answer["problems"]
    assert f"fahras check --index {index_copy}" in str(answer["advice"])
    problems = " ".join(map(str, answer["problems"]))
    if named:
        assert str(path) in problems
    else:
        assert "a search fails" in problems


def test_the_verdict_is_kept_a_few_seconds(
    index_copy: Path, make_app: Callable[..., Flask]
) -> None:
    app = make_app(FAHRAS_INDEX=str(index_copy))
    now = [1000.0]
    app.extensions["fahras_health"] = HealthCheck(index_copy, clock=lambda: now[0])
    status, answer = health(app)
    assert status == 200 and answer["status"] == "ok" and answer["documents"] == 60

    # A copy cut short replaces the file (the served generation keeps its open files).
    (pst,) = index_copy.glob("*.pst")
    cut = pst.with_suffix(".cut")
    cut.write_bytes(pst.read_bytes()[:1000])
    os.replace(cut, pst)
    now[0] += HEALTH_SECONDS - 0.1
    assert health(app)[0] == 200  # cached
    now[0] += 0.1
    status, answer = health(app)
    assert status == 503 and str(pst) in " ".join(map(str, answer["problems"]))
    assert "1,000 bytes" in " ".join(map(str, answer["problems"]))
