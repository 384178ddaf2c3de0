"""An installed Fahras works (issue 15): build the wheel, install it into a fresh virtual
environment outside the clone, and use it from another directory as a user would.

The editable install of the README reads the source tree, so it hides any file the wheel leaves
out (the lexicon was one: every search answered 500). This is slow (a venv and its packages), so
it is one test, marked `slow`; the whole suite, and so CI, runs it.
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import free_port, http_get

from search.datafiles import DATA_FILES

REPO = Path(__file__).resolve().parents[1]


def run(command: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def clean_copy(destination: Path) -> Path:
    """The project's files (tracked, or new and not ignored) without build leftovers: a stale
    build/ folder would put files into the wheel that its package-data leaves out."""
    listed = run(["git", "ls-files", "-z", "-co", "--exclude-standard"], REPO).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.mark.slow
def test_the_built_wheel_indexes_searches_and_serves_from_anywhere(tmp_path: Path) -> None:
    source = clean_copy(tmp_path / "source")
    dist = tmp_path / "dist"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        source,
    )
    (wheel,) = dist.glob("fahras-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"search/{name}" for name in DATA_FILES} <= names

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    fahras = str(venv / "bin" / "fahras")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FAHRAS_INDEX")}

    analyzed = json.loads(run([fahras, "analyze", "والكتاب", "--json"], elsewhere, env=env).stdout)
    assert analyzed[0]["stem"] == "كتاب"

    port = free_port()
    log_path = tmp_path / "demo.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [fahras, "demo", "--index", "sample-index", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while healthz_status(port) != 200:
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the demo did not start within 120 s"
            time.sleep(0.25)
        status, body = http_get(port, "/search?q=" + quote("كتاب"))
        assert status == 200, body[-2000:]
        assert "<mark>" in body.decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    found = json.loads(
        run(
            [fahras, "search", "كتاب", "--index", "sample-index", "--json"], elsewhere, env=env
        ).stdout
    )
    assert found["total"] > 0 and found["results"]


def healthz_status(port: int) -> int | None:
    """The demo's /healthz status, None while nothing listens yet."""
    try:
        return http_get(port, "/healthz")[0]
    except (OSError, http.client.HTTPException):
        return None
