"""Shared pytest fixtures."""

# ---------------------------------------------------------------------------------------------
# Engine fixtures: indexes built from the bundled sample, from a slice of the ANT corpus and from
# small hand-written record lists (used by test_documents, test_indexer, test_engine, test_query
# and test_highlight).
# ---------------------------------------------------------------------------------------------

import gzip
import http.client
import itertools
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, sync_playwright

import search
from search.engine import SearchEngine
from search.indexer import IndexOptions, IndexReport, index_sources
from webapp import create_app

SHARED = Path(__file__).resolve().parents[2] / "shared"
ANT_CORPUS = SHARED / "corpus" / "ant_multisource.jsonl.gz"
SAMPLE = Path(search.__file__).resolve().parent / "sample" / "articles.jsonl"
# The corpus is sorted by source: every 21st article gives ~1,500 articles from all five sources.
ANT_STRIDE = 21

Records = list[dict[str, object]]


def write_jsonl(path: Path, records: Iterable[dict[str, object]]) -> Path:
    """Write `records` as one JSON object a line (UTF-8, Arabic kept readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    """A free TCP port on the loopback interface, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    """Status and body of a GET on a loopback server (any status, none raised)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def build_index(sources: list[Path], index_dir: Path, **options: object) -> IndexReport:
    """Index `sources` into `index_dir` with IndexOptions(**options)."""
    return index_sources(sources, index_dir, options=IndexOptions(**options))  # type: ignore[arg-type]


def write_ant_slice(path: Path, stop: int | None, step: int) -> Path:
    """Every `step`-th line of ANT multi-source up to line `stop`, as JSONL at `path`."""
    if not ANT_CORPUS.exists():
        pytest.skip(f"ANT corpus not found at {ANT_CORPUS}")
    with gzip.open(ANT_CORPUS, "rt", encoding="utf-8") as corpus:
        path.write_text("".join(itertools.islice(corpus, 0, stop, step)), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def ant_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 1,500 real news articles (every ANT_STRIDE-th line of ANT multi-source)."""
    return write_ant_slice(tmp_path_factory.mktemp("ant") / "ant_slice.jsonl", None, ANT_STRIDE)


@pytest.fixture(scope="session")
def ant_index(ant_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ANT slice indexed once per session. Tests must not write to it."""
    index_dir = tmp_path_factory.mktemp("ant_index")
    report = build_index([ant_slice], index_dir)
    assert report.added > 1000 and not report.interrupted
    return index_dir


@pytest.fixture(scope="session")
def ant_engine(ant_index: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(ant_index)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled 60-article sample indexed once per session. Tests must not write to it."""
    index_dir = tmp_path_factory.mktemp("sample_index")
    report = build_index([SAMPLE], index_dir)
    assert report.added == 60 and not report.skipped
    return index_dir


@pytest.fixture(scope="session")
def sample_engine(sample_index: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(sample_index)
    yield engine
    engine.close()


@pytest.fixture
def make_engine(tmp_path: Path) -> Iterator[Callable[[Records], SearchEngine]]:
    """Index a list of records into a fresh directory and open an engine on it."""
    engines: list[SearchEngine] = []

    def make(records: Records) -> SearchEngine:
        number = len(engines)
        source = write_jsonl(tmp_path / f"records{number}.jsonl", records)
        index_dir = tmp_path / f"index{number}"
        report = build_index([source], index_dir)
        assert not report.skipped, report.skipped
        engines.append(SearchEngine(index_dir))
        return engines[-1]

    yield make
    for engine in engines:
        engine.close()


# ---------------------------------------------------------------------------------------------
# End of the engine fixtures.
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Web fixtures (test_web_*, test_browser): apps over the sample index, and Debian's chromium.
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def make_app(sample_index: Path) -> Iterator[Callable[..., Flask]]:
    """Build apps over the sample index (or `FAHRAS_INDEX=...`); their engines close after."""
    apps: list[Flask] = []

    def make(**config: object) -> Flask:
        app = create_app({"FAHRAS_INDEX": str(sample_index), "TESTING": True, **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["fahras"].close()
        if "fahras_writer" in app.extensions:  # started by a write or by post_worker_init
            app.extensions["fahras_writer"].close()


@pytest.fixture
def client(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app().test_client()


# Debian's chromium, headless, with no calls home (this machine's network is closed).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, installed with apt-get when missing (root only)."""
    found = shutil.which("chromium")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, env=env)
        found = shutil.which("chromium")
    if found is None:
        pytest.skip("browser tests need Debian's chromium: run `apt-get install chromium` as root")
    return found


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    """One browser per test module (the pages of each module are fresh contexts)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
