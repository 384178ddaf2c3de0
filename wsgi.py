"""WSGI entry point for `gunicorn wsgi:app`; settings come from FAHRAS_* (docs/settings.md).

gunicorn reads `./gunicorn.conf.py` from the directory it is started in: from the repository it
gets ours (webapp/gunicorn_conf.py). Started from anywhere else, as process managers often do, it
would serve with gunicorn's defaults: a sync worker that one slow search stalls, a 4,094-byte
request line, no worker recycling, the control socket on. So the app refuses to start without
our settings, and says how to give them (`fahras serve` always does).
"""

import sys
from collections.abc import Mapping

from webapp import create_app

CONFIG_MODULE = "webapp.gunicorn_conf"


WORKER_BOOT_ERROR = 3  # gunicorn's exit status for a worker that cannot boot: the master stops
MISSING_SETTINGS = (
    "fahras: error: gunicorn started without Fahras's settings (no ./gunicorn.conf.py in its"
    f" working directory): start it with `gunicorn --config python:{CONFIG_MODULE} wsgi:app`,"
    " or from the repository directory, or use `fahras serve`"
)


def check_gunicorn_settings(modules: Mapping[str, object] = sys.modules) -> None:
    """Under gunicorn (its arbiter is loaded) our settings module must have been read: if not,
    say so in one line and stop the worker, which stops gunicorn."""
    if "gunicorn.arbiter" in modules and CONFIG_MODULE not in modules:
        print(MISSING_SETTINGS, file=sys.stderr, flush=True)
        raise SystemExit(WORKER_BOOT_ERROR)


check_gunicorn_settings()
app = create_app()
