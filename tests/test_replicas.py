"""Two read replicas behind nginx (issue 14 §1), run as docs/deploy.md describes.

nginx runs deploy/nginx.conf (its upstream and listen lines pointed at loopback ports) under a
main configuration of its own in tmp_path; each replica is `fahras serve` on a folder restored
from the primary's snapshot. A new snapshot is shipped to one replica, then the other, while
clients search through nginx; no request may fail, and both replicas must then answer alike.
"""

import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import SAMPLE, build_index, free_port, http_get, write_jsonl

from search.engine import SearchEngine, SearchRequest
from search.snapshot import take_snapshot

REPOSITORY = Path(__file__).resolve().parents[1]
SITE_CONF = REPOSITORY / "deploy" / "nginx.conf"
QUERIES = ("الكتاب", "الانتخابات", "مدرسة", "بيروت OR دمشق", "قنطريسة")
MARKER = "قنطريسة"  # only in the documents of the second snapshot


@pytest.fixture(scope="session")
def nginx() -> str:
    """Debian's nginx, installed with apt-get when missing (root only)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        install_without_starting("nginx")
        found = shutil.which("nginx", path="/usr/sbin")
    if found is None:
        pytest.skip("the replica test needs Debian's nginx: run `apt-get install nginx` as root")
    return found


def install_without_starting(package: str) -> None:
    """apt-get install, with services kept from starting (Debian's policy-rc.d convention):
    a fresh machine must not be left with nginx serving its default site on port 80."""
    policy = Path("/usr/sbin/policy-rc.d")
    added = not policy.exists()
    if added:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", package], check=True, env=env)
    finally:
        if added:
            policy.unlink()


def healthz(port: int) -> dict[str, object] | None:
    with contextlib.suppress(OSError, http.client.HTTPException):
        status, body = http_get(port, "/healthz", timeout=2)
        if status == 200:
            return json.loads(body)
    return None


def wait_for(check: Callable[[], bool], what: str, log: Path, seconds: float = 60) -> None:
    """Poll `check()` until it is true; a generous wait for servers on a busy machine."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} not seen in {seconds} s\n{log.read_text()}"
        time.sleep(0.1)


@contextlib.contextmanager
def process_group(command: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """Run `command` in a session of its own; stop the whole group, whatever happens."""
    with log.open("wb") as output:
        child = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield child
    finally:
        stop_group(child)


def stop_group(child: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):  # workers outliving their master
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


@contextlib.contextmanager
def replica(index_dir: Path, log: Path) -> Iterator[tuple[int, subprocess.Popen]]:
    """gunicorn with our settings (as `fahras serve`) on `index_dir`, behind one proxy hop,
    once it answers: its port and process (the master, leader of its process group)."""
    port = free_port()
    env = {**os.environ, "FAHRAS_INDEX": str(index_dir), "FAHRAS_PROXY_HOPS": "1"}
    env["FAHRAS_PUBLISH_WRITER"] = "off"  # a replica never writes (docs/deploy.md)
    command = [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with process_group(command, log, env) as server:
        wait_for(lambda: healthz(port) is not None, f"replica on {index_dir}", log)
        yield port, server


def site_conf(listen: int, replicas: list[int]) -> str:
    """deploy/nginx.conf with its upstream servers and listen address replaced."""
    text = SITE_CONF.read_text(encoding="utf-8")
    server = re.compile(r"(?m)^    server \S+ (.*);\n")
    examples = server.findall(text)
    assert len(examples) == 2, "deploy/nginx.conf: expected two example replicas"
    ours = "".join(f"    server 127.0.0.1:{port} {examples[0]};\n" for port in replicas)
    first = server.search(text)
    assert first is not None
    text = text[: first.start()] + ours + server.sub("", text[first.start() :])
    assert "    listen 80;\n" in text
    return text.replace("    listen 80;\n", f"    listen 127.0.0.1:{listen};\n")


@contextlib.contextmanager
def nginx_server(binary: str, home: Path, replicas: list[int]) -> Iterator[int]:
    """nginx with its prefix, configuration, pid file, logs and temp files in `home`."""
    port = free_port()
    (home / "temp").mkdir(parents=True)
    (home / "fahras.conf").write_text(site_conf(port, replicas), encoding="utf-8")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {home}/temp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers must reach the temp folder
    (home / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/error.log info;
{user}
events {{ worker_connections 256; }}
http {{
    log_format upstream '$status $upstream_addr $upstream_status "$request"';
    access_log {home}/access.log upstream;
{temp_paths}
    include {home}/fahras.conf;
}}
""",
        encoding="utf-8",
    )
    command = [
        binary,
        "-p",
        str(home),
        "-c",
        str(home / "nginx.conf"),
        "-e",
        str(home / "error.log"),
    ]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with process_group(command, home / "nginx.out", dict(os.environ)):
        wait_for(lambda: healthz(port) is not None, "nginx", home / "error.log")
        yield port


@dataclass
class Readers:
    """Client threads searching through nginx; every answer must be a 200."""

    port: int
    threads: int = 3
    served: int = 0
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    PATHS = ("/api/search?q={}", "/search?q={}", "/api/suggest?q={}", "/search?q={}&page=2")

    def run(self, number: int) -> None:
        rng = random.Random(number)
        while not self.stop.is_set():
            path = rng.choice(self.PATHS).format(quote(rng.choice(QUERIES)))
            try:
                status, _ = http_get(self.port, path)
                if status != 200:
                    self.failures.append(f"{status} {path}")
                self.served += 1
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(f"{type(exc).__name__}: {exc} on {path}")

    @contextlib.contextmanager
    def running(self) -> Iterator["Readers"]:
        workers = [threading.Thread(target=self.run, args=(n,)) for n in range(self.threads)]
        for worker in workers:
            worker.start()
        try:
            yield self
        finally:
            self.stop.set()
            for worker in workers:
                worker.join()


def answers(port: int) -> dict[str, object]:
    found = {}
    for query in QUERIES:
        status, body = http_get(port, f"/api/search?q={quote(query)}&per_page=20")
        assert status == 200
        result = json.loads(body)
        found[query] = (result["total"], [(hit["id"], hit["score"]) for hit in result["results"]])
    return found


def fahras(*args: object) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "search.cli", *map(str, args)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_snapshot_shipped_to_each_replica_in_turn_fails_no_request(
    nginx: str, tmp_path: Path
) -> None:
    primary = tmp_path / "primary" / "index"
    build_index([SAMPLE], primary)
    first = take_snapshot(primary, tmp_path / "primary" / "snapshots" / "1")
    served = [tmp_path / f"replica{n}" / "index" for n in (1, 2)]
    logs = [tmp_path / f"replica{n}.log" for n in (1, 2)]
    for index_dir in served:
        fahras("restore", first.path, "--index", index_dir)
    marked = [
        {"id": f"new-{n}", "title": f"{MARKER} رقم {n}", "body": "خبر جديد عن الكتاب"}
        for n in range(5)
    ]

    with (
        replica(served[0], logs[0]) as (port1, server1),
        replica(served[1], logs[1]) as (port2, _),
        nginx_server(nginx, tmp_path / "nginx", [port1, port2]) as front,
    ):
        with Readers(front).running() as readers:
            fahras("index", write_jsonl(tmp_path / "new.jsonl", marked), "--index", primary)
            second = take_snapshot(primary, tmp_path / "primary" / "snapshots" / "2")
            for port, index_dir, log in zip((port1, port2), served, logs, strict=True):
                incoming = index_dir.parent / "incoming" / "2"
                shutil.copytree(second.path, incoming)  # rsync to the replica's machine
                fahras("restore", incoming, "--index", index_dir, "--wait", 30)
                wait_for(
                    lambda port=port: serves(port, second.generation, len(marked)),
                    f"generation {second.generation} on port {port}",
                    log,
                )
        assert readers.failures == []
        assert readers.served > 20
        replicated = answers(port1)
        assert answers(port2) == replicated
        assert replicated[MARKER][0] == len(marked)
        engine = SearchEngine(second.path)
        try:
            for query, (total, hits) in replicated.items():
                result = engine.search(SearchRequest(q=query, per_page=20))
                assert (total, hits) == (result.total, [(h.id, h.score) for h in result.hits])
        finally:
            engine.close()

        with Readers(front).running() as readers:
            time.sleep(0.5)
            stop_group(server1)  # a replica stopped: its new requests go to the other one
            time.sleep(1.5)
        assert readers.failures == []

    access = (tmp_path / "nginx" / "access.log").read_text(encoding="utf-8").splitlines()
    upstreams = {line.split()[1] for line in access}
    assert {f"127.0.0.1:{port1}", f"127.0.0.1:{port2}"} <= upstreams
    assert {line.split()[0] for line in access} == {"200"}
    for log in logs:
        assert "Traceback" not in log.read_text()


def serves(port: int, generation: int, marked: int) -> bool:
    health = healthz(port) or {}
    return health.get("generation") == generation and answers(port)[MARKER][0] == marked
