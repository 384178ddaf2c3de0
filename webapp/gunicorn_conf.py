"""gunicorn settings for Fahras: a read-heavy, CPU-bound app on a small machine.

Searching is Python and NumPy work under the GIL, so processes give the parallelism (one per core
plus one to cover a worker busy with a slow query) and a few threads per worker overlap network
waits (slow clients, keep-alive). Each worker opens the index itself after the fork
(preload_app off), and is recycled after a jittered number of requests so caches cannot grow
without bound. Override any of these on the command line or in GUNICORN_CMD_ARGS. The file lives
in the package so that `fahras serve` has it when installed; ./gunicorn.conf.py reuses it.
"""

import multiprocessing
import os

from webapp.extension import warm_up

wsgi_app = "webapp:create_app()"
bind = ["127.0.0.1:8000"]
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = 4
preload_app = False
timeout = 30  # a search takes milliseconds: a worker silent this long is stuck
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500  # workers restart at different times, never all at once
accesslog = None  # access logs cost throughput; turn on with --access-logfile -
errorlog = "-"
loglevel = "info"


def post_worker_init(worker: object) -> None:
    """Open the index before the worker's first request, not during it."""
    warm_up(worker.wsgi)  # type: ignore[attr-defined]
