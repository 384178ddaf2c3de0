"""What the HTTP benchmarks share: the ANT index, gunicorn with our config, clients, percentiles.

The index is built once with `fahras index --procs 2` into a cache folder and reused; gunicorn
runs with webapp/gunicorn_conf.py, as `fahras serve` runs it, on a free loopback port. Clients
are stdlib threads with one keep-alive http.client connection each: every request goes to
127.0.0.1 only.
"""

import contextlib
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from query_bench import percentile

from search.store import index_exists

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "ant_multisource.jsonl.gz"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fahras"
DEFAULT_INDEX = CACHE / "ant-multisource"
HOST = "127.0.0.1"


def ensure_index(corpus: Path, index_dir: Path) -> None:
    """Build the benchmark index if it is not there yet (about two minutes for ANT)."""
    if index_exists(index_dir):
        return
    print(f"indexing {corpus.name} into {index_dir} …", flush=True)
    command = [sys.executable, "-m", "search.cli", "index", str(corpus)]
    subprocess.run([*command, "--index", str(index_dir), "--procs", "2"], check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving `index_dir` with the settings of the checkout `root` (this one by
    default, or another, e.g. a `git archive` of an older commit); its stderr goes to `log`."""

    def __init__(
        self,
        index_dir: Path,
        log: Path,
        extra_env: dict[str, str] | None = None,
        root: Path = ROOT,
    ):
        self.port = free_port()
        self.log = log
        command = [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf"]
        command += ["--bind", f"{HOST}:{self.port}"]
        env = {**os.environ, "FAHRAS_INDEX": str(index_dir), **(extra_env or {})}
        if root != ROOT:  # its packages, not this checkout's installed ones
            env["PYTHONPATH"] = str(root)
        with log.open("w") as errors:
            self.process = subprocess.Popen(command, env=env, stderr=errors, cwd=root)

    def wait_ready(self, seconds: float = 60) -> None:
        """Until /healthz answers 200 (every worker opens the index before its first request)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if get(self.port, "/healthz")[0] == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {seconds} s: see {self.log}")

    def worker_pids(self) -> list[int]:
        """The workers now running (children of the master)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return sorted(pids)

    def workers_booted(self) -> int:
        """Workers started since launch, recycled ones included (from gunicorn's log)."""
        return self.log.read_text(errors="replace").count("Booting worker")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)

    def __enter__(self) -> "Gunicorn":
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One request on a connection of its own (may reach any worker)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass(frozen=True, slots=True)
class Request:
    kind: str  # what the report groups by
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    ok: frozenset[int] = frozenset({200})  # statuses that are correct answers


@dataclass(slots=True)
class Tally:
    """Latencies (ms) by kind, and every failed request."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, milliseconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(milliseconds)
            if error:
                self.errors.append(error)

    @property
    def all(self) -> list[float]:
        return [ms for values in self.latencies.values() for ms in values]


def run_clients(
    port: int,
    clients: int,
    seconds: float,
    pick: Callable[[random.Random], Request],
    tally: Tally,
) -> None:
    """`clients` threads, each asking `pick(rng)` in a loop for `seconds` over keep-alive."""
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(number)
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < stop:
            request = pick(rng)
            started = time.perf_counter()
            error = None
            try:
                connection.request("GET", request.path, headers=request.headers)
                response = connection.getresponse()
                response.read()
                if response.status not in request.ok:
                    error = f"{response.status} {request.path[:120]}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc} on {request.path[:120]}"
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
            tally.add(request.kind, (time.perf_counter() - started) * 1000, error)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def latency_line(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:<18} n=0"
    return (
        f"{name:<18} n={len(values):<7,} p50 {statistics.median(values):6.1f} ms   "
        f"p95 {percentile(values, 0.95):6.1f} ms   max {max(values):7.1f} ms"
    )


CATEGORIES = ("internationalNews", "middleEast", "sport", "economy", "technology", "culture")
SOURCES = ("Sky News Arabia", "Al Arabiya", "France 24 Arabic", "BBC Arabic", "CNN Arabic")


def with_facets(query: str, rng: random.Random) -> dict[str, str | list[str]]:
    """A reader's search: the words, and often a facet, a second facet value, a date or a sort."""
    args: dict[str, str | list[str]] = {"q": query}
    roll = rng.random()
    if roll < 0.35:
        args["category"] = rng.choice(CATEGORIES)
    elif roll < 0.55:
        args["source"] = rng.choice(SOURCES)
    elif roll < 0.65:
        args["category"] = rng.sample(CATEGORIES, 2)  # multi-select
        args["source"] = rng.choice(SOURCES)
    elif roll < 0.75:
        month = rng.randint(2, 9)
        args["from"], args["to"] = f"2018-{month:02d}", f"2018-{month + 1:02d}"
    if rng.random() < 0.15:
        args["sort"] = rng.choice(("newest", "oldest"))
    if rng.random() < 0.1:
        args["page"] = "2"
    return args


def search_requests(queries: list[str], seed: int = 7) -> list[Request]:
    """One request per query: half htmx fragments of /search, half /api/search, with facets."""
    rng = random.Random(seed)
    requests = []
    for number, query in enumerate(queries):
        args = urlencode(with_facets(query, rng), doseq=True)
        if number % 2:
            requests.append(Request("api/search", f"/api/search?{args}"))
        else:
            requests.append(Request("search fragment", f"/search?{args}", {"HX-Request": "true"}))
    return requests


@contextlib.contextmanager
def sampling(every: float, sample: Callable[[], None]) -> Iterator[None]:
    """Call `sample()` every `every` seconds in the background while the block runs."""
    done = threading.Event()

    def loop() -> None:
        while not done.wait(every):
            sample()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
