"""Read by a bare `gunicorn` run in the repository: the settings are in webapp/gunicorn_conf.py."""

from webapp.gunicorn_conf import (  # noqa: F401 - gunicorn reads these names from this module
    accesslog,
    bind,
    errorlog,
    graceful_timeout,
    keepalive,
    loglevel,
    max_requests,
    max_requests_jitter,
    post_worker_init,
    preload_app,
    threads,
    timeout,
    worker_class,
    workers,
)

wsgi_app = "wsgi:app"
