"""`fahras serve` and `fahras demo` as a process manager or a terminal runs them (issue 9 §3).

A SIGTERM sent to the PID of `fahras serve` must stop the server: no gunicorn re-parented to PID 1
still holding the port. Each server runs in a session of its own, killed whole in `finally`.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port

START_WAIT = 90.0  # seconds: generous, the machine may be busy
STOP_WAIT = 30.0


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def port_taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def session_members(session: int) -> list[int]:
    """PIDs of the processes still in `session` (field 6 of /proc/PID/stat)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session:
                members.append(int(stat.parent.name))
    return members


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return bool(condition())  # type: ignore[operator]


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_sigterm_to_fahras_stops_its_gunicorn(
    command: str, sample_index: Path, tmp_path: Path
) -> None:
    port = free_port()
    index_dir = sample_index if command == "serve" else tmp_path / "demo-index"
    argv = [sys.executable, "-m", "search.cli", command, "--index", str(index_dir)]
    env = dict(os.environ, WEB_CONCURRENCY="1")
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*argv, "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = wait_until(lambda: answers(port), START_WAIT)
        assert started, f"fahras {command} did not start:\n{log.read_text()[-2000:]}"
        os.kill(server.pid, signal.SIGTERM)  # the fahras PID only, as a process manager does
        server.wait(timeout=STOP_WAIT)
        assert wait_until(lambda: not port_taken(port), STOP_WAIT), "the port is still served"
        assert wait_until(lambda: not session_members(server.pid), STOP_WAIT), (
            f"processes left: {session_members(server.pid)}"
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=STOP_WAIT)
