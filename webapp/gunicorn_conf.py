"""gunicorn settings for Fahras: a read-heavy, CPU-bound app on a small machine.

Searching is Python and NumPy work under the GIL, so processes give the parallelism: one per core
(bench/http_bench.py on 2 cores: 270 requests/s and p95 131 ms with 2 workers, 245 requests/s and
p95 191 ms with 3, which only fight over the cores), and a few threads per worker overlap network
waits (slow clients, keep-alive). Each worker opens the index itself after the fork
(preload_app off), and is recycled after a jittered number of requests so a slow leak cannot
grow without bound. Override any of these on the command line or in GUNICORN_CMD_ARGS. The file
lives in the package so that `fahras serve` has it when installed; ./gunicorn.conf.py reuses it.
"""

import multiprocessing
import os

from webapp.extension import warm_up
from webapp.memory import fixed_mmap_threshold, memory_mb
from webapp.settings import load_settings
from webapp.writer import start_writer

wsgi_app = "webapp:create_app()"
bind = ["127.0.0.1:8000"]
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
# gthread, answering a request line with raw UTF-8 (curl "…?q=كتاب") in Arabic: see the module.
worker_class = "webapp.gunicorn_worker.ArabicThreadWorker"
SETTINGS = load_settings()
# Searches take at most FAHRAS_SEARCH_SLOTS threads (webapp/slots.py): the other two always
# answer /healthz and static files at once, however many searches are running.
threads = int(SETTINGS["FAHRAS_SEARCH_SLOTS"]) + 2  # type: ignore[call-overload]
preload_app = False
timeout = 30  # a search takes milliseconds: a worker silent this long is stuck
graceful_timeout = 20
keepalive = 5
# Recycling bounds what a slow leak can grow to (memory_guard below catches a fast one); every
# cache is bounded itself, and a recycled worker starts cold: at 300 requests/s a worker,
# 5,000 requests recycled each one every 16 s.
max_requests = 10_000
max_requests_jitter = 1_000  # workers restart at different times, never all at once
accesslog = None  # access logs cost throughput; turn on with --access-logfile -
errorlog = "-"
loglevel = "info"
# What one request may cost before the app sees it: the longest query string the app accepts
# (webapp/limits.py answers longer ones with an Arabic 414) fits well within the request line;
# a GET needs few and short headers. Past these gunicorn answers 414/431/400 itself.
limit_request_line = 8190  # the most gunicorn allows
limit_request_fields = 50
limit_request_field_size = 8190
# The heartbeat file in memory: a disk stalled by a big indexing run cannot get healthy workers
# killed for missing their heartbeat.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No runtime control socket (gunicorn 25+): nothing to reconfigure or stop the server through,
# and no clash over ~/.gunicorn/gunicorn.ctl between several servers run by one user.
control_socket_disable = True
MEMORY_LIMIT_MB = int(SETTINGS["FAHRAS_WORKER_MEMORY_MB"])  # type: ignore[call-overload]


def post_worker_init(worker: object) -> None:
    """Open the index before the worker's first request, and stand for the writer election."""
    fixed_mmap_threshold()
    warm_up(worker.wsgi)  # type: ignore[attr-defined]
    start_writer(worker.wsgi)  # type: ignore[attr-defined]  # one worker wins the election
    opened = memory_mb()
    if MEMORY_LIMIT_MB and opened > MEMORY_LIMIT_MB:
        worker.log.warning(  # type: ignore[attr-defined]
            "worker uses %.0f MB with the index just opened, over FAHRAS_WORKER_MEMORY_MB=%d: "
            "raise it; until then workers are not recycled for memory",
            opened,
            MEMORY_LIMIT_MB,
        )
        worker.memory_guard = False  # type: ignore[attr-defined]
    else:
        worker.memory_guard = bool(MEMORY_LIMIT_MB)  # type: ignore[attr-defined]


def post_request(worker: object, req: object, environ: object, resp: object) -> None:
    """Recycle a worker whose private memory grew past the limit, once this request is answered.

    max_requests recycles workers on a schedule; this catches a worker that grows faster (a leak
    triggered by some input) before the machine runs short. The arbiter starts a fresh one.
    """
    if worker.memory_guard and memory_mb() > MEMORY_LIMIT_MB:  # type: ignore[attr-defined]
        worker.log.warning(  # type: ignore[attr-defined]
            "worker over FAHRAS_WORKER_MEMORY_MB=%d: restarting it", MEMORY_LIMIT_MB
        )
        worker.alive = False  # type: ignore[attr-defined]
