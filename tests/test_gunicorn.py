"""The app under a real gunicorn on a free port (issues 9 §5 and 15).

- A request line with raw UTF-8 (`curl "…/search?q=كتاب"`) gets the app's Arabic 400 naming the
  percent-encoded address, not gunicorn's English "Invalid HTTP request line".
- `gunicorn wsgi:app` started from another directory refuses to run without our settings, and
  runs with them when given `--config python:webapp.gunicorn_conf`.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port

from webapp.gunicorn_worker import percent_encoded, raw_target

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
KITAB = "كتاب"
RAW_KITAB = KITAB.encode("utf-8")


@contextlib.contextmanager
def gunicorn(index: Path, cwd: Path, *options: str) -> Iterator[tuple[int, subprocess.Popen]]:
    """gunicorn (one worker) with `options`, started in `cwd`; stopped, group and all, after.

    Its output goes to a temporary file, `process.log` (read with `output(process)`).
    """
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", *options, "--bind", f"{HOST}:{port}"]
    env = {
        **os.environ,
        "FAHRAS_INDEX": str(index),
        "WEB_CONCURRENCY": "1",
        "PYTHONPATH": str(ROOT),
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*command, "wsgi:app"],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log  # type: ignore[attr-defined]
        try:
            yield port, process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def output(process: subprocess.Popen) -> str:
    process.log.seek(0)  # type: ignore[attr-defined]
    return process.log.read().decode(errors="replace")  # type: ignore[attr-defined]


def wait_until_serving(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {output(process)[-2000:]}")
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    pytest.fail("gunicorn did not answer")


def raw_request(port: int, target: bytes) -> tuple[int, dict[str, str], str]:
    """Send a GET whose request line holds `target` byte for byte; (status, headers, body)."""
    with socket.create_connection((HOST, port), timeout=30) as connection:
        connection.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def served(sample_index: Path) -> Iterator[int]:
    """gunicorn as documented: from the repository, reading ./gunicorn.conf.py."""
    with gunicorn(sample_index, ROOT) as (port, process):
        wait_until_serving(port, process)
        yield port


def test_a_raw_utf8_request_line_gets_the_apps_arabic_400(served: int) -> None:
    status, headers, body = raw_request(served, b"/search?q=" + RAW_KITAB)
    assert status == 400
    assert headers["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in headers  # the app's own answer, with its headers
    assert 'lang="ar"' in body and "غير مرمّزة" in body
    assert "/search?q=%D9%83%D8%AA%D8%A7%D8%A8" in body  # the address to use instead
    assert "Invalid HTTP request line" not in body


def test_a_raw_utf8_api_request_line_gets_arabic_json(served: int) -> None:
    status, headers, body = raw_request(served, b"/api/search?q=" + RAW_KITAB)
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert "غير مرمّزة" in body and "percent-encode" in body


def test_other_bad_request_lines_keep_gunicorns_answer(served: int) -> None:
    status, _, body = raw_request(served, b"search?q=x")  # not a path
    assert status == 400 and "غير مرمّزة" not in body
    status, _, _ = raw_request(served, b"/search?q=" + RAW_KITAB.hex().encode())
    assert status == 200  # and an ordinary request is served as ever


def test_the_target_is_read_from_either_parser() -> None:
    from gunicorn.http.errors import InvalidRequestLine

    target = "/search?q=" + RAW_KITAB.decode("latin-1")
    assert raw_target(InvalidRequestLine(f"GET {target} HTTP/1.1")) == target  # Python parser
    assert raw_target(InvalidRequestLine(target)) == target  # C parser: the target only
    assert raw_target(InvalidRequestLine("GET /a HTTP/1.1")) is None
    assert raw_target(ValueError(target)) is None
    assert percent_encoded("/a b" + "\xd9\x83") == "/a%20b%D9%83"


def test_gunicorn_from_another_directory_refuses_to_run_without_our_settings(
    sample_index: Path, tmp_path: Path
) -> None:
    with gunicorn(sample_index, tmp_path) as (_, process):
        process.wait(timeout=60)
        said = output(process)
    assert process.returncode == 3
    assert "fahras: error: gunicorn started without Fahras's settings" in said
    assert "--config python:webapp.gunicorn_conf" in said
    assert "Traceback" not in said


def test_gunicorn_from_another_directory_runs_with_our_settings_named(
    sample_index: Path, tmp_path: Path
) -> None:
    options = ("--config", "python:webapp.gunicorn_conf")
    with gunicorn(sample_index, tmp_path, *options) as (port, process):
        wait_until_serving(port, process)
        status, _, _ = raw_request(port, b"/search?q=" + RAW_KITAB)
        assert status == 400  # our worker class: the settings are ours
