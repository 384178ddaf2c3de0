"""Read by a bare `gunicorn` run in the repository: the settings are in webapp/gunicorn_conf.py."""

from webapp.gunicorn_conf import (  # noqa: F401 - gunicorn reads these names from this module
    accesslog,
    bind,
    control_socket_disable,
    errorlog,
    graceful_timeout,
    keepalive,
    limit_request_field_size,
    limit_request_fields,
    limit_request_line,
    loglevel,
    max_requests,
    max_requests_jitter,
    post_request,
    post_worker_init,
    preload_app,
    threads,
    timeout,
    worker_class,
    worker_tmp_dir,
    workers,
)

wsgi_app = "wsgi:app"
